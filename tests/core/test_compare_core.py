"""Compare's plain parts: sweeps, the word diff, prompt files and checks, --set parsing."""

from __future__ import annotations

import json

import pytest

from desktop_app.api import Completion, SamplingParams, ToolCall
from desktop_app.cli.compare import parse_set
from desktop_app.core.compare.checks import run_checks
from desktop_app.core.compare.diff import ADDED, EQUAL, REMOVED, diff_counts, word_diff
from desktop_app.core.compare.prompts import PromptSetError, load_prompt_set
from desktop_app.core.compare.spec import ColumnSpec, check_specs, sweep_from_text


def test_sweep_multiplies_the_base_by_every_listed_value():
    base = ColumnSpec(sampling=SamplingParams(top_k=64, temperature=1.0), label="panel")
    specs = sweep_from_text("temperature=0.2,0.8; seed=1,2; foo=\"x\"", base, thinking_both=True)
    assert len(specs) == 8
    assert {(s.sampling.temperature, s.sampling.seed, s.enable_thinking) for s in specs} == {
        (t, seed, th) for t in (0.2, 0.8) for seed in (1, 2) for th in (False, True)
    }
    assert all(s.sampling.top_k == 64 and s.extra_body == {"foo": "x"} for s in specs)
    assert "temperature=0.2" in specs[0].title()


@pytest.mark.parametrize("text", ["temperature=3", "seed", "", "top_p=0"])
def test_a_sweep_vllm_would_refuse_is_an_error(text):
    with pytest.raises(ValueError, match="Sweep"):
        sweep_from_text(text, ColumnSpec())


def test_at_most_eight_columns():
    assert check_specs([ColumnSpec()] * 8) == ""
    assert "at most 8" in check_specs([ColumnSpec()] * 9)


def test_word_diff_marks_removed_and_added_words():
    runs = word_diff("the quick brown fox", "the slow brown fox jumps")
    assert (REMOVED, "quick") in runs and (ADDED, "slow") in runs
    assert "".join(t for k, t in runs if k != ADDED) == "the quick brown fox"
    assert "".join(t for k, t in runs if k != REMOVED) == "the slow brown fox jumps"
    assert diff_counts(runs) == (1, 2)
    assert word_diff("same", "same") == [(EQUAL, "same")]


def test_set_keeps_a_list_value_with_commas_in_one_pair():
    spec = parse_set('temperature=0.5,stop=["a","b"],foo=1')
    assert spec.sampling.temperature == 0.5
    assert spec.sampling.stop == ("a", "b")
    assert spec.extra_body == {"foo": 1}


def test_prompt_files_json_and_jsonl(tmp_path):
    array = tmp_path / "p.json"
    array.write_text(json.dumps(["Hi", {"prompt": "owls", "contains": "owl"}]), encoding="utf-8")
    items = load_prompt_set(array)
    assert [(i.prompt, i.checks) for i in items] == [("Hi", {}), ("owls", {"contains": "owl"})]
    lines = tmp_path / "p.jsonl"
    lines.write_text('"a"\n\n{"prompt": "b", "json": true}\n', encoding="utf-8")
    assert [i.prompt for i in load_prompt_set(lines)] == ["a", "b"]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[]", "empty"),
        ('[{"prompt": "x", "regex": "("}]', "regular expression"),
        ('[{"prompt": "x", "colour": 1}]', "unknown check colour"),
        ("{oops\n", "line 1: not valid JSON"),
        ('[{"text": "x"}]', 'needs a "prompt"'),
    ],
)
def test_a_bad_prompt_file_says_where(tmp_path, text, needle):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PromptSetError, match=needle):
        load_prompt_set(path)


def test_checks_pass_and_fail():
    reply = Completion(
        id=None, model=None, content='```json\n{"a": 1}\n```', reasoning="",
        tool_calls=(ToolCall(id="c1", name="get_weather", arguments="{}"),),
        finish_reason="tool_calls", stop_reason=None, usage=None, system_fingerprint=None,
    )  # fmt: skip
    checks = {"contains": '"a"', "regex": r"\d", "json": True, "tool": "get_weather"}
    assert set(run_checks(checks, reply).items()) == {(name, True) for name in checks}
    assert run_checks({"tool": "search", "json": True, "contains": "zzz"}, None) == {
        "contains": False, "json": False, "tool": False,
    }  # fmt: skip
