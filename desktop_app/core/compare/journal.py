"""The run journal: one JSON-lines file per compare run in the data folder, a header line and
then one line per cell the moment it ends, fsync'ed; read back for Recent runs. No Qt.

It never holds a key or a server's address: a column on another server names its profile id
(as case files do), and the prompt is the only request text kept."""

from __future__ import annotations

import itertools
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from desktop_app.api import Completion, ToolCall, Usage
from desktop_app.core.compare.case_file import CaseError, column_from_json, column_json
from desktop_app.core.compare.cells import DONE, FAILED, STOPPED, CellResult
from desktop_app.core.compare.prompts import PromptItem, PromptSetError, parse_prompt_item
from desktop_app.core.compare.results import ResultSheet
from desktop_app.core.compare.spec import ColumnSpec
from desktop_app.core.files.paths import PRIVATE_FILE, data_dir, make_private_dir

KIND = "gemma-desk compare run"
VERSION = 1
KEEP_RUNS = 50
GRID, PROMPT_SET = "grid", "prompt set"
ENDED = (DONE, FAILED, STOPPED)
NOT_SAVED = "not saved"  # the state of a cell the journal has no line for
_names = itertools.count(1)


class JournalError(ValueError):
    """The journal cannot be read at all (its header is missing or damaged)."""


def runs_dir() -> Path:
    path = data_dir() / "compare-runs"
    make_private_dir(path)
    return path


def new_run_path(folder: Path) -> Path:
    """A new file name that sorts after every earlier one of this process (time, pid, count)."""
    now = time.time()
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    millis = int(now * 1000) % 1000
    return folder / f"run-{stamp}-{millis:03d}-{os.getpid()}-{next(_names):05d}.jsonl"


def header_json(
    mode: str, items: list[PromptItem], specs: list[ColumnSpec], system: str = ""
) -> dict[str, Any]:
    return {
        "kind": KIND,
        "version": VERSION,
        "mode": mode,
        "started": time.time(),
        "system": system,
        "prompts": [{"prompt": i.prompt, **i.checks} for i in items],
        "columns": [column_json(s) for s in specs],
    }


def cell_line(row: int, column: int, state: str, record: dict[str, Any]) -> dict[str, Any]:
    """A cell's line: where it is, how it ended and its record (``export.cell_record``)."""
    return {"row": row, "column": column, "state": state, "cell": record}


def redact(text: str, urls: list[str]) -> str:
    """``text`` with every form of the servers' addresses in it (a connection error names
    the server, maybe with a password in the URL) said as "the server"."""
    forms: set[str] = set()
    for url in urls:
        parts = urlsplit(url.strip())
        forms |= {url.strip(), url.strip().rstrip("/"), parts.netloc, parts.hostname or ""}
        if parts.netloc:
            forms.add(f"{parts.scheme}://{parts.netloc}")
            forms.add(parts.netloc.rsplit("@", 1)[-1])
    for form in sorted((f for f in forms if len(f) >= 3), key=len, reverse=True):
        text = text.replace(form, "the server")
    return text


def encode_line(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def create_journal(path: Path, header: dict[str, Any]) -> None:
    """Makes the run's file (owner-only) holding its header line, on disk before returning."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, PRIVATE_FILE)
    try:
        _write_all(fd, encode_line(header))
        os.fsync(fd)
    finally:
        os.close(fd)
    if sys.platform != "win32":  # the new name itself survives a power cut too
        try:
            folder = os.open(path.parent, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(folder)
        except OSError:
            pass
        finally:
            os.close(folder)


def append_line(path: Path, line: dict[str, Any]) -> bool:
    """Appends one line and fsyncs it: a kill right after keeps it. False when the file is
    gone (the person deleted the run): a deleted run is not made again."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return False
    try:
        _write_all(fd, encode_line(line))
        os.fsync(fd)
    finally:
        os.close(fd)
    return True


def prune(folder: Path, keep: int = KEEP_RUNS) -> int:
    """Removes all but the newest ``keep`` runs; returns how many went."""
    runs = sorted(folder.glob("run-*.jsonl"))
    gone = 0
    for path in runs[: max(0, len(runs) - keep)]:
        try:
            path.unlink()
            gone += 1
        except FileNotFoundError:
            pass
    return gone


# -- reading ---------------------------------------------------------------------------------
@dataclass
class SavedRun:
    """A run read back: its sheet (cells with no line are ``NOT_SAVED``), the columns'
    settings and what was skipped on the way."""

    path: Path
    mode: str
    started: float
    system: str
    specs: list[ColumnSpec]
    sheet: ResultSheet
    saved: int
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.sheet.items) * len(self.specs)

    def when(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.started))

    def label(self) -> str:
        """One line for the Recent runs list: date, prompt start, columns, cells done/total."""
        prompt = " ".join(self.sheet.items[0].prompt.split()) if self.sheet.items else ""
        prompt = prompt if len(prompt) <= 50 else prompt[:49] + "…"
        more = f" (+{len(self.sheet.items) - 1} prompts)" if len(self.sheet.items) > 1 else ""
        columns = len(self.specs)
        return (
            f"{self.when()} · “{prompt}”{more} · {columns} column{'s' * (columns != 1)} · "
            f"{self.saved}/{self.total} cells"
        )


def _prompt(raw: Any, where: str) -> PromptItem:
    if isinstance(raw, str):
        return PromptItem(raw)
    try:
        return parse_prompt_item(raw, where)
    except PromptSetError as exc:
        raise JournalError(str(exc)) from None


def _parse_header(raw: bytes, name: str) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise JournalError(f"{name}: the first line is not a run header") from None
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise JournalError(f"{name}: not a Gemma Desk compare run")
    if data.get("version") != VERSION:
        raise JournalError(f"{name}: version {data.get('version')!r} is not known here")
    return data


def _tool_call(wire: dict[str, Any]) -> ToolCall:
    function = wire["function"]
    return ToolCall(str(wire.get("id", "")), str(function["name"]), str(function["arguments"]))


def cell_from_record(record: dict[str, Any], state: str) -> CellResult:
    """The cell a journal line (``export.cell_record``) describes."""
    usage = record.get("usage")
    calls = record.get("tool_calls") or []
    completion = Completion(
        id=None,
        model=None,
        content=str(record.get("content") or ""),
        reasoning=str(record.get("reasoning") or ""),
        tool_calls=tuple(_tool_call(c) for c in calls),
        finish_reason=record.get("finish_reason"),
        stop_reason=None,
        usage=Usage(**usage) if isinstance(usage, dict) else None,
        system_fingerprint=None,
    )
    ttft, total = record.get("ttft_s"), record.get("total_s")
    seed = record.get("seed")
    return CellResult(
        params=dict(record.get("params") or {}),
        seed=seed if isinstance(seed, int) else None,
        prompt=str(record.get("prompt") or ""),
        state=state,
        completion=completion,
        ttft_s=float(ttft) if isinstance(ttft, (int, float)) else None,
        total_s=float(total) if isinstance(total, (int, float)) else None,
        error=record.get("error") if isinstance(record.get("error"), str) else None,
    )


def read_journal(path: Path) -> SavedRun:
    """The run in ``path``. A damaged or half-written cell line is skipped with a note (a
    kill mid-write leaves one at the end); only a missing or bad header raises JournalError."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise JournalError(f"{path.name}: cannot read it ({exc.strerror or exc})") from None
    lines = raw.split(b"\n")
    complete = raw.endswith(b"\n")
    header = _parse_header(lines[0], path.name)
    try:
        items = [_prompt(p, f"{path.name}: prompt {n}") for n, p in enumerate(header["prompts"], 1)]
        specs = [
            column_from_json(c, f"{path.name}: column {n}")
            for n, c in enumerate(header["columns"], 1)
        ]
        system = str(header.get("system") or "")
        started = float(header.get("started") or 0.0)
    except (CaseError, KeyError, TypeError, ValueError) as exc:
        raise JournalError(f"{path.name}: the run header is damaged ({exc})") from None
    cells = [[CellResult(prompt=i.prompt, state=NOT_SAVED) for _ in specs] for i in items]
    saved: set[tuple[int, int]] = set()
    notes: list[str] = []
    body = lines[1:]
    for number, line in enumerate(body, 2):
        if not line.strip():
            continue
        last = number == len(body) + 1
        try:
            data = json.loads(line)
            row, column, state = data["row"], data["column"], data["state"]
            if not (0 <= row < len(items) and 0 <= column < len(specs)) or state not in ENDED:
                raise ValueError("no such cell")
            cell = cell_from_record(data["cell"], state)
        except (ValueError, KeyError, TypeError, IndexError, UnicodeDecodeError, RecursionError):
            if last and not complete:
                notes.append(
                    "The last cell was being saved when the app stopped; that cell was skipped."
                )
            else:
                notes.append(f"Line {number} is damaged and was skipped.")
            continue
        cells[row][column] = cell  # a rerun's line comes later and wins
        saved.add((row, column))
    sheet = ResultSheet(items, [s.title() for s in specs], [s.params() for s in specs], cells)
    mode = PROMPT_SET if header.get("mode") == PROMPT_SET else GRID
    return SavedRun(path, mode, started, system, specs, sheet, len(saved), notes)


def saved_runs(folder: Path) -> tuple[list[SavedRun], list[str]]:
    """Every run in ``folder``, newest first, and a note per file that could not be read."""
    runs, notes = [], []
    for path in sorted(folder.glob("run-*.jsonl"), reverse=True):
        try:
            runs.append(read_journal(path))
        except JournalError as exc:
            notes.append(str(exc))
    return runs, notes


def delete_run(path: Path) -> None:
    path.unlink(missing_ok=True)
