"""A compare grid or a prompt set's results as JSON, Markdown or CSV: the one export of the
Compare window and of ``gemma-desk compare``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from desktop_app.core.compare.results import ResultSheet

FORMATS = {"json": ".json", "markdown": ".md", "csv": ".csv"}


def cell_record(sheet: ResultSheet, row: int, column: int) -> dict[str, Any]:
    """One cell: ``CellResult.to_json_dict`` and, when its prompt has checks, each check's
    pass and the cell's (the JSON export and the run journal both write this)."""
    record = sheet.cells[row][column].to_json_dict()
    if sheet.items[row].checks:
        verdict = sheet.verdict(row, column)
        record["checks"] = verdict.checks
        record["passed"] = verdict.passed
    return record


def cell_records(sheet: ResultSheet) -> list[dict[str, Any]]:
    """Every cell, prompt by prompt, as ``cell_record`` gives it."""
    return [
        cell_record(sheet, row, column)
        for row, cells in enumerate(sheet.cells)
        for column in range(len(cells))
    ]


def to_json(sheet: ResultSheet) -> dict[str, Any]:
    """``{"cells": [...], "columns": [...]}``: the cells as ``cell_records`` gives them, and
    each column's settings and summary."""
    columns = [
        {"title": title, "params": params, **sheet.summary(i).to_json_dict()}
        for i, (title, params) in enumerate(zip(sheet.columns, sheet.params, strict=True))
    ]
    return {"cells": cell_records(sheet), "columns": columns}


def _md(text: str) -> str:
    """A table cell: one line, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


def to_markdown(sheet: ResultSheet) -> str:
    heads = [f"{i + 1}. {title}" for i, title in enumerate(sheet.columns)]
    lines = ["# Compare results", ""]
    lines += ["| prompt | " + " | ".join(_md(h) for h in heads) + " |"]
    lines += ["| --- " * (len(heads) + 1) + "|"]
    for row, item in enumerate(sheet.items):
        marks = []
        for column, cell in enumerate(sheet.cells[row]):
            word = sheet.verdict(row, column).word() if item.checks else cell.state
            marks.append(word + (f" ({_md(cell.error)})" if cell.error else ""))
        lines.append(f"| {_md(item.prompt)} | " + " | ".join(marks) + " |")
    lines.append(
        "| **summary** | " + " | ".join(_md(sheet.summary(i).line()) for i in range(len(heads)))
        + " |"
    )  # fmt: skip
    for row, item in enumerate(sheet.items):
        lines += ["", f"## {_md(item.prompt)}"]
        for column, cell in enumerate(sheet.cells[row]):
            lines += ["", f"### {_md(heads[column])}", ""]
            if cell.error:
                lines += [f"> error: {_md(cell.error)}", ""]
            lines.append(cell.content or "*(no reply)*")
    return "\n".join(lines) + "\n"


CSV_FIELDS = [
    "prompt", "column", "title", "params", "seed", "state", "passed", "checks", "content",
    "reasoning", "finish_reason", "prompt_tokens", "completion_tokens", "ttft_s", "total_s",
    "tokens_per_s", "error",
]  # fmt: skip


def to_csv(sheet: ResultSheet) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row, item in enumerate(sheet.items):
        for column, cell in enumerate(sheet.cells[row]):
            usage = cell.completion.usage if cell.completion else None
            verdict = sheet.verdict(row, column) if item.checks else None
            rate = cell.tokens_per_second()
            writer.writerow({
                "prompt": item.prompt,
                "column": column + 1,
                "title": sheet.columns[column],
                "params": json.dumps(sheet.params[column], ensure_ascii=False),
                "seed": cell.seed,
                "state": cell.state,
                "passed": "" if verdict is None else verdict.word(),
                "checks": json.dumps(verdict.checks) if verdict else "",
                "content": cell.content,
                "reasoning": cell.reasoning,
                "finish_reason": cell.finish_reason or "",
                "prompt_tokens": usage.prompt_tokens if usage else "",
                "completion_tokens": usage.completion_tokens if usage else "",
                "ttft_s": "" if cell.ttft_s is None else round(cell.ttft_s, 4),
                "total_s": "" if cell.total_s is None else round(cell.total_s, 4),
                "tokens_per_s": "" if rate is None else round(rate, 2),
                "error": cell.error or "",
            })  # fmt: skip
    return buffer.getvalue()


def render(sheet: ResultSheet, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(to_json(sheet), ensure_ascii=False, indent=2) + "\n"
    if fmt == "markdown":
        return to_markdown(sheet)
    if fmt == "csv":
        return to_csv(sheet)
    raise ValueError(f"unknown export format {fmt!r}; known: {', '.join(FORMATS)}")


def format_for(path: str | Path) -> str:
    """The format a file name asks for by its ending (.json, .md, .csv)."""
    suffix = Path(path).suffix.lower()
    for fmt, ending in FORMATS.items():
        if suffix == ending or (fmt == "markdown" and suffix == ".markdown"):
            return fmt
    raise ValueError(f"{Path(path).name}: end the name with .json, .md or .csv")


def write_export(sheet: ResultSheet, path: str | Path) -> str:
    """Writes ``sheet`` to ``path`` in the format its ending names; returns what to say.
    Raises ValueError saying why not."""
    fmt = format_for(path)
    try:
        Path(path).write_text(render(sheet, fmt), encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"Could not write {Path(path).name}: {exc.strerror or exc}.") from None
    return f"Exported {len(sheet.items) * len(sheet.columns)} cells to {Path(path).name}."
