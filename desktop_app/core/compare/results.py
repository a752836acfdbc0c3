"""A prompt set's results: the cells of prompts x columns, each cell's pass or fail, and each
column's summary (passes, TTFT and tokens/s). No Qt: the window and the CLI share it."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from desktop_app.core.compare.cells import DONE, FAILED, STREAMING, WAITING, CellResult
from desktop_app.core.compare.checks import run_checks
from desktop_app.core.compare.prompts import PromptItem


@dataclass(frozen=True)
class Verdict:
    """One cell's checks and whether it passed (None: still running)."""

    checks: dict[str, bool]
    passed: bool | None

    def word(self) -> str:
        if self.passed is None:
            return "…"
        return "pass" if self.passed else "FAIL"


def verdict(cell: CellResult, checks: dict[str, Any]) -> Verdict:
    """A finished cell passes when every check passes (no checks: when it finished); an
    error or a stopped reply fails."""
    if cell.state in (WAITING, STREAMING):
        return Verdict({}, None)
    results = run_checks(checks, cell.completion) if checks else {}
    return Verdict(results, cell.state == DONE and all(results.values()))


@dataclass(frozen=True)
class ColumnSummary:
    """One column over every prompt: passes, errors, and median TTFT and tokens/s."""

    passed: int
    failed: int
    pending: int
    errors: int
    ttft_s: float | None
    tokens_per_s: float | None

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.pending

    def line(self) -> str:
        parts = [f"{self.passed}/{self.total} pass"]
        if self.errors:
            parts.append(f"{self.errors} error{'s' * (self.errors != 1)}")
        if self.ttft_s is not None:
            parts.append(f"TTFT {self.ttft_s * 1000:.0f} ms")
        if self.tokens_per_s is not None:
            parts.append(f"{self.tokens_per_s:.1f} tok/s")
        return " · ".join(parts)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "failed": self.failed,
            "pending": self.pending,
            "errors": self.errors,
            "ttft_s_median": None if self.ttft_s is None else round(self.ttft_s, 4),
            "tokens_per_s_median": (
                None if self.tokens_per_s is None else round(self.tokens_per_s, 2)
            ),
        }


def _median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


@dataclass
class ResultSheet:
    """Prompts x columns: ``cells[prompt][column]``; what the results table and every export
    show. ``columns`` are the columns' titles, ``params`` each column's settings."""

    items: list[PromptItem]
    columns: list[str]
    params: list[dict[str, Any]]
    cells: list[list[CellResult]]

    def verdict(self, row: int, column: int) -> Verdict:
        return verdict(self.cells[row][column], self.items[row].checks)

    def summary(self, column: int) -> ColumnSummary:
        cells = [row[column] for row in self.cells]
        verdicts = [self.verdict(r, column) for r in range(len(self.cells))]
        return ColumnSummary(
            passed=sum(v.passed is True for v in verdicts),
            failed=sum(v.passed is False for v in verdicts),
            pending=sum(v.passed is None for v in verdicts),
            errors=sum(c.state == FAILED for c in cells),
            ttft_s=_median([c.ttft_s for c in cells]),
            tokens_per_s=_median([c.tokens_per_second() for c in cells]),
        )

    def has_checks(self) -> bool:
        return any(item.checks for item in self.items)


def sheet_of(
    items: Sequence[PromptItem],
    columns: Sequence[str],
    params: Sequence[dict[str, Any]],
    flat: Sequence[CellResult],
) -> ResultSheet:
    """A sheet from cells listed prompt by prompt, each prompt's columns in order."""
    width = len(columns)
    rows = [list(flat[i * width : (i + 1) * width]) for i in range(len(items))]
    return ResultSheet(list(items), list(columns), list(params), rows)
