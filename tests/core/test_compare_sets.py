"""Prompt sets without a server: the JSON-schema check, typed prompts, case files, results
and the export every format shares."""

from __future__ import annotations

import csv
import io
import json

import pytest

from desktop_app.api import Completion, SamplingParams, Usage
from desktop_app.core.compare.case_file import (
    CaseError,
    CompareCase,
    case_from_json,
    case_json,
    load_named,
    save_case,
    saved_cases,
)
from desktop_app.core.compare.cells import DONE, FAILED, CellResult
from desktop_app.core.compare.checks import check_problems, run_checks
from desktop_app.core.compare.export import format_for, render
from desktop_app.core.compare.prompts import (
    PromptItem,
    PromptSetError,
    parse_prompt_text,
    prompt_set_text,
)
from desktop_app.core.compare.results import ResultSheet
from desktop_app.core.compare.spec import ColumnSpec

SCHEMA = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}


def reply(text: str, tokens: int = 10) -> Completion:
    return Completion(
        id="r", model="m", content=text, reasoning="", tool_calls=(), finish_reason="stop",
        stop_reason=None, usage=Usage(5, tokens, 5 + tokens), system_fingerprint=None,
    )  # fmt: skip


def cell(text: str, state: str = DONE, error: str | None = None) -> CellResult:
    return CellResult(
        state=state, completion=reply(text), ttft_s=0.1, total_s=1.1, error=error, prompt="p"
    )


@pytest.mark.parametrize(
    ("content", "passed"),
    [
        ('{"name": "owl"}', True),
        ('```json\n{"name": "owl"}\n```', True),
        ('{"name": 3}', False),
        ('{"other": "owl"}', False),
        ("not json at all", False),
    ],
)
def test_schema_check_validates_the_reply(content, passed):
    assert check_problems({"schema": SCHEMA}) == ""
    assert run_checks({"schema": SCHEMA}, reply(content)) == {"schema": passed}


def test_a_broken_schema_is_refused_in_words():
    assert "not a valid JSON Schema" in check_problems({"schema": {"type": "no-such-type"}})
    assert "must be a JSON Schema" in check_problems({"schema": "object"})


def test_typed_prompts_read_like_a_prompt_file_and_write_back_the_same():
    text = 'tell me about owls\n\n{"prompt": "JSON please", "schema": {"type": "object"}}\n'
    text += '"two\\nlines"\n'
    items = parse_prompt_text(text)
    assert items == [
        PromptItem("tell me about owls"),
        PromptItem("JSON please", {"schema": {"type": "object"}}),
        PromptItem("two\nlines"),
    ]
    assert parse_prompt_text(prompt_set_text(items)) == items


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "at least one prompt"),
        ('{"prompt": "x", "colour": 1}', "line 1: unknown check colour"),
        ("ok\n{broken", "line 2: not valid JSON"),
        ('{"prompt": "x", "schema": {"type": 5}}', "not a valid JSON Schema"),
    ],
)
def test_bad_typed_prompts_say_which_line(text, needle):
    with pytest.raises(PromptSetError, match=needle):
        parse_prompt_text(text)


def test_a_case_round_trips_and_holds_no_server_address_or_key():
    columns = [
        ColumnSpec(sampling=SamplingParams(temperature=0.2, seed=7), label="cool"),
        ColumnSpec(
            sampling=SamplingParams(top_p=0.9), enable_thinking=True,
            extra_body={"response_format": {"type": "json_object"}}, server="profile-1",
            model="gemma-4-e4b",
        ),
    ]  # fmt: skip
    prompts = [PromptItem("Hi"), PromptItem("JSON please", {"schema": SCHEMA})]
    case = CompareCase("nightly check", prompts, columns, "Be brief.", 2)
    path = save_case(case)
    assert saved_cases() == ["nightly check"]
    again = load_named("nightly check")
    assert (again.prompts, again.columns, again.system, again.concurrency) == (
        prompts, columns, "Be brief.", 2,
    )  # fmt: skip
    text = path.read_text(encoding="utf-8")
    assert "http" not in text and "api_key" not in text
    assert json.loads(text)["columns"][1]["server_profile"] == "profile-1"


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"kind": "other"}, "not a Gemma Desk compare case"),
        ({"columns": []}, "columns"),
        ({"columns": [{"params": {"temperature": 7}}]}, "column 1: temperature"),
        ({"columns": [{"params": {"colour": 1}}]}, "unknown sampling field"),
        ({"prompts": [{"prompt": "x", "regex": "("}]}, "prompt 1"),
        ({"concurrency": 0}, "concurrency"),
    ],
)
def test_a_bad_case_file_is_refused_in_words(change, needle):
    data = case_json(CompareCase("c", [PromptItem("Hi")], [ColumnSpec()]))
    with pytest.raises(CaseError, match=needle):
        case_from_json({**data, **change})


def sheet() -> ResultSheet:
    items = [PromptItem("say owls", {"contains": "owls"}), PromptItem("Hi | there")]
    return ResultSheet(
        items,
        ["temperature=0", "temperature=1"],
        [{"temperature": 0}, {"temperature": 1}],
        [
            [cell("owls are birds"), cell("cats")],
            [cell("hello"), cell("", FAILED, "seed is cursed")],
        ],
    )


def test_results_pass_per_cell_and_per_column():
    s = sheet()
    assert [s.verdict(0, c).passed for c in (0, 1)] == [True, False]
    assert s.verdict(1, 1).passed is False  # an error fails even without checks
    first, second = s.summary(0), s.summary(1)
    assert (first.passed, first.failed, first.errors) == (2, 0, 0)
    assert (second.passed, second.failed, second.errors) == (0, 2, 1)
    assert first.ttft_s == pytest.approx(0.1) and first.tokens_per_s == pytest.approx(10.0)
    assert first.line().startswith("2/2 pass")


def test_export_formats_hold_every_cell_and_the_summaries():
    s = sheet()
    data = json.loads(render(s, "json"))
    assert [c["content"] for c in data["cells"]] == ["owls are birds", "cats", "hello", ""]
    assert data["cells"][1]["checks"] == {"contains": False}
    assert data["columns"][1]["errors"] == 1 and data["columns"][0]["passed"] == 2
    rows = list(csv.DictReader(io.StringIO(render(s, "csv"))))
    assert [(r["prompt"], r["column"], r["passed"]) for r in rows] == [
        ("say owls", "1", "pass"), ("say owls", "2", "FAIL"), ("Hi | there", "1", ""),
        ("Hi | there", "2", ""),
    ]  # fmt: skip
    assert rows[3]["error"] == "seed is cursed"
    markdown = render(s, "markdown")
    assert "| say owls | pass | FAIL |" in markdown
    assert "Hi \\| there" in markdown and "2/2 pass" in markdown
    assert "owls are birds" in markdown
    assert format_for("x.CSV") == "csv"
    with pytest.raises(ValueError, match="end the name"):
        format_for("x.txt")
