#!/usr/bin/env bash
# Runs a built bundle headless: `gemma-desk --smoke-test` starts the built-in simulator, opens the
# main window offscreen, waits for the simulator's models to be listed, prints "smoke-test: ok"
# and exits 0. This script fails unless both happen within the time limit.
#
# Usage: packaging/smoke-test.sh [BUNDLE_DIR]   (default: dist/gemma-desk)
#   SMOKE_TIMEOUT=seconds   time limit (default: 120)
set -euo pipefail
cd "$(dirname "$0")/.."

bundle="${1:-dist/gemma-desk}"
exe="$bundle/gemma-desk"
limit="${SMOKE_TIMEOUT:-120}"
[ -x "$exe" ] || { echo "smoke-test.sh: no executable at $exe (build it first)" >&2; exit 1; }

# A private data folder, so the run reads no user settings and leaves nothing behind.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
log="$scratch/output.log"

rc=0
QT_QPA_PLATFORM=offscreen GEMMA_DESK_DATA_DIR="$scratch/data" \
  timeout --kill-after=10 "$limit" "$exe" --smoke-test >"$log" 2>&1 || rc=$?
cat "$log"

if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
  echo "smoke-test.sh: FAILED: $exe --smoke-test did not finish within ${limit}s" >&2
  exit 1
fi
if [ "$rc" -ne 0 ]; then
  echo "smoke-test.sh: FAILED: $exe --smoke-test exited with status $rc" >&2
  exit 1
fi
if ! grep -q '^smoke-test: ok' "$log"; then
  echo "smoke-test.sh: FAILED: exit status 0 but no 'smoke-test: ok' line" >&2
  exit 1
fi
echo "smoke-test.sh: passed ($exe)"
