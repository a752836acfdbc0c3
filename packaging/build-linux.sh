#!/usr/bin/env bash
# Builds the one-folder Linux bundle of Gemma Desk (dist/gemma-desk/) and prints its size.
#
# Usage: packaging/build-linux.sh [--clean-venv] [--dist DIR] [--work DIR]
#   (default)     build with the environment of $PYTHON, else .venv/bin/python, installing
#                 PyInstaller (and the app, if it is not importable) into it
#   --clean-venv  build in a fresh venv (build/bundle-venv) holding only the app's runtime
#                 dependencies and PyInstaller: what a release build should use
#   --dist DIR    where the bundle goes (default: dist); the bundle is DIR/gemma-desk
#   --work DIR    PyInstaller's scratch folder (default: build/pyinstaller)
set -euo pipefail
cd "$(dirname "$0")/.."

PYINSTALLER_REQ="pyinstaller>=6.10"
clean_venv=0
dist=dist
work=build/pyinstaller
while [ $# -gt 0 ]; do
  case "$1" in
    --clean-venv) clean_venv=1 ;;
    --dist) dist="$2"; shift ;;
    --work) work="$2"; shift ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if [ "$clean_venv" = 1 ]; then
  venv=build/bundle-venv
  rm -rf "$venv"
  "$(bash scripts/find-python)" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip
  # A regular (not editable) install: the bundle is made from what pip installs.
  "$venv/bin/python" -m pip install -q . "$PYINSTALLER_REQ"
  python="$venv/bin/python"
else
  python="${PYTHON:-.venv/bin/python}"
  if [ ! -x "$python" ] && ! command -v "$python" >/dev/null; then
    echo "no Python at $python: set PYTHON, create .venv (scripts/start) or use --clean-venv" >&2
    exit 1
  fi
  "$python" -c 'import PyInstaller' 2>/dev/null || "$python" -m pip install -q "$PYINSTALLER_REQ"
  "$python" -c 'import desktop_app' 2>/dev/null || "$python" -m pip install -q -e .
fi

"$python" packaging/third_party_licenses.py check \
  || echo "warning: versions differ from THIRD_PARTY_LICENSES.md's" \
          "(refresh it with: $python packaging/third_party_licenses.py write)" >&2

start=$(date +%s)
# -P: keep the current directory off sys.path, so the spec sees the installed desktop_app.
"$python" -P -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$dist" --workpath "$work" packaging/gemma-desk.spec
seconds=$(( $(date +%s) - start ))

bundle="$dist/gemma-desk"
[ -x "$bundle/gemma-desk" ] || { echo "build failed: no $bundle/gemma-desk" >&2; exit 1; }

# Every Python package in the bundle must be in THIRD_PARTY_LICENSES.md; the system libraries
# PyInstaller copied from this machine get a notice of their own, inside the bundle.
"$python" packaging/third_party_licenses.py bundled "$work/gemma-desk" \
  || echo "warning: refresh THIRD_PARTY_LICENSES.md before shipping this bundle" >&2
"$python" packaging/third_party_licenses.py native "$work/gemma-desk" \
  "$bundle/_internal/desktop_app/resources/licenses/NATIVE_LIBRARIES.md" >/dev/null
size=$(du -sh "$bundle" | cut -f1)
files=$(find "$bundle" -type f | wc -l)
echo "built $bundle in ${seconds}s: $size in $files files"
