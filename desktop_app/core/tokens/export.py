"""Writing a reply's tokens as CSV or JSON: token, bytes, logprob, probability, alternatives."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

from desktop_app.api.logprobs import TokenLog, known


def _probability(logprob: float) -> str:
    return f"{math.exp(logprob):.6f}" if known(logprob) else ""


def to_csv(tokens: TokenLog) -> str:
    """One row per token; alternatives as `token=logprob` pairs joined by spaces in one column
    (JSON-quoted, so a token holding a space or `=` stays readable)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["position", "token", "bytes", "logprob", "probability", "alternatives"])
    for i in range(len(tokens)):
        raw = tokens.raw_bytes(i)
        logprob = tokens.logprob(i)
        alts = " ".join(
            f"{json.dumps(a.token, ensure_ascii=False)}="
            f"{a.logprob if known(a.logprob) else ''}"
            for a in tokens.alternatives(i)
        )
        writer.writerow([
            i,
            tokens.token(i),
            raw.hex(" ") if raw is not None else "",
            repr(logprob) if known(logprob) else "",
            _probability(logprob),
            alts,
        ])
    return out.getvalue()


def to_json(tokens: TokenLog) -> str:
    return json.dumps(tokens.to_json(), ensure_ascii=False, indent=1, allow_nan=False) + "\n"


def export_tokens(tokens: TokenLog, path: Path) -> None:
    """Write as CSV when the name ends in .csv, else JSON; raises OSError."""
    text = to_csv(tokens) if path.suffix.lower() == ".csv" else to_json(tokens)
    path.write_text(text, encoding="utf-8")
