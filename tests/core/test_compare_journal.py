"""The compare run journal: what a kill mid-write leaves is read back, damaged lines are
skipped with a note, reruns win, and only the last 50 runs stay."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from desktop_app.api import SamplingParams
from desktop_app.core.compare.cells import DONE, FAILED
from desktop_app.core.compare.journal import (
    GRID,
    KEEP_RUNS,
    NOT_SAVED,
    JournalError,
    read_journal,
    runs_dir,
)
from desktop_app.core.compare.prompts import PromptItem
from desktop_app.core.compare.recorder import RunJournals
from desktop_app.core.compare.spec import ColumnSpec

# Starts a journal of one prompt x three columns through the app's own writer, appends two
# cells, then dies half-way through the third line's bytes.
KILLED_WRITER = textwrap.dedent(
    """
    import os, signal, sys
    from desktop_app.api import Completion, SamplingParams, Usage
    from desktop_app.core.compare.cells import DONE, CellResult
    from desktop_app.core.compare.journal import GRID, cell_line, encode_line
    from desktop_app.core.compare.export import cell_record
    from desktop_app.core.compare.prompts import PromptItem
    from desktop_app.core.compare.recorder import RunJournals
    from desktop_app.core.compare.results import ResultSheet
    from desktop_app.core.compare.spec import ColumnSpec

    def reply(text):
        return Completion(None, None, text, "thought " + text, (), "stop", None,
                          Usage(5, 7, 12), None)

    specs = [ColumnSpec(SamplingParams(seed=n)) for n in (1, 2, 3)]
    cells = [CellResult(params=s.params(), seed=s.sampling.seed, prompt="owls?", state=DONE,
                        completion=reply(f"reply {n}"), ttft_s=0.1, total_s=0.5)
             for n, s in enumerate(specs)]
    sheet = ResultSheet([PromptItem("owls?")], [s.title() for s in specs],
                        [s.params() for s in specs], [cells])
    journals = RunJournals()
    journal = journals.start(GRID, sheet.items, specs)
    journal.append(sheet, 0, 0)
    journal.append(sheet, 0, 1)
    journals.submit(lambda: None).result()  # both lines are on disk
    print(journal.path, flush=True)
    line = encode_line(cell_line(0, 2, DONE, cell_record(sheet, 0, 2)))
    fd = os.open(journal.path, os.O_WRONLY | os.O_APPEND)
    os.write(fd, line[: len(line) // 2])
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def test_a_run_killed_mid_append_keeps_the_cells_before_it():
    done = subprocess.run(
        [sys.executable, "-c", KILLED_WRITER], capture_output=True, text=True, timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip
    assert done.returncode == -signal.SIGKILL, done.stderr
    path = Path(done.stdout.strip())
    assert path.parent == runs_dir()
    assert not path.read_bytes().endswith(b"\n")  # the third line really is half there
    saved = read_journal(path)
    assert saved.saved == 2 and saved.total == 3
    cells = saved.sheet.cells[0]
    assert [c.content for c in cells[:2]] == ["reply 0", "reply 1"]
    assert cells[1].reasoning == "thought reply 1" and cells[1].state == DONE
    assert cells[1].completion.usage.completion_tokens == 7
    assert cells[1].seed == 2 and cells[1].ttft_s == 0.1 and cells[1].total_s == 0.5
    assert cells[2].state == NOT_SAVED and cells[2].content == ""
    assert saved.notes == [
        "The last cell was being saved when the app stopped; that cell was skipped."
    ]
    assert "2/3 cells" in saved.label()
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)


def _journal(tmp_lines: list[str], journals: RunJournals | None = None) -> Path:
    """A run of one prompt x two columns whose cell lines are ``tmp_lines``, via the app."""
    journals = journals or RunJournals()
    specs = [ColumnSpec(SamplingParams(temperature=0.2)), ColumnSpec(server="profile-77")]
    journal = journals.start(GRID, [PromptItem("why?")], specs)
    journals.submit(lambda: None).result()  # type: ignore[union-attr]
    with journal.path.open("a", encoding="utf-8") as fh:
        fh.writelines(line + "\n" for line in tmp_lines)
    return journal.path


def _line(column: int, content: str, state: str = DONE) -> str:
    record = {"content": content, "reasoning": "", "tool_calls": [], "usage": None,
              "finish_reason": "stop", "params": {}, "seed": None, "prompt": "why?",
              "ttft_s": None, "total_s": None, "error": "refused" if state == FAILED else None}
    return json.dumps({"row": 0, "column": column, "state": state, "cell": record})  # fmt: skip


def test_a_damaged_line_is_skipped_with_a_note_and_a_rerun_wins():
    path = _journal([_line(0, "first"), "{not json", _line(0, "rerun"), _line(1, "", FAILED)])
    saved = read_journal(path)
    assert [c.content for c in saved.sheet.cells[0]] == ["rerun", ""]
    assert saved.sheet.cells[0][1].error == "refused"
    assert saved.notes == ["Line 3 is damaged and was skipped."]
    # A column on another server names its profile, never an address.
    assert saved.specs[1].server == "profile-77"
    assert json.loads(path.read_text().splitlines()[0])["columns"][1] == {
        "params": {}, "server_profile": "profile-77"
    }  # fmt: skip


def test_a_file_without_a_run_header_is_refused_not_crashed_on(tmp_path):
    bad = tmp_path / "run-x.jsonl"
    bad.write_text('{"kind": "something else"}\n')
    with pytest.raises(JournalError, match="not a Gemma Desk compare run"):
        read_journal(bad)
    bad.write_bytes(b"")
    with pytest.raises(JournalError, match="not a run header"):
        read_journal(bad)


def test_only_the_last_fifty_runs_are_kept():
    journals = RunJournals()
    paths = [_journal([], journals) for _ in range(KEEP_RUNS + 3)]
    journals.submit(lambda: None).result()  # type: ignore[union-attr]
    left = sorted(runs_dir().glob("run-*.jsonl"))
    assert left == sorted(paths[3:])


def test_a_read_only_session_writes_no_journal():
    journals = RunJournals(enabled=False)
    journals.start(GRID, [PromptItem("x")], [ColumnSpec()])
    assert journals.submit(lambda: None) is None
    assert list(runs_dir().glob("*")) == []
