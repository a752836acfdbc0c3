"""`gemma-desk compare` with a JSON-schema check and the Markdown / CSV export (the same
export module as the Compare window), as a subprocess against the simulator."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from tests.e2e.test_compare_cli import cells, compare, sim  # noqa: F401 (the fixture)

SCHEMA_OK = {"type": "object"}
SCHEMA_NO = {"type": "array"}
JSON_MODE = 'response_format={"type":"json_object"}'


def prompt_file(tmp_path: Path) -> Path:
    path = tmp_path / "prompts.jsonl"
    path.write_text(
        json.dumps({"prompt": "an owl as JSON", "schema": SCHEMA_OK}) + "\n"
        + json.dumps({"prompt": "a list as JSON", "schema": SCHEMA_NO}) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    return path


def test_schema_check_passes_and_fails_per_reply(sim, tmp_path):  # noqa: F811
    result = compare(
        "--set", JSON_MODE, "--prompts", str(prompt_file(tmp_path)), "--json",
        base_url=sim.base_url,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    got = cells(result)
    assert isinstance(json.loads(got[0]["content"]), dict)
    assert [c["checks"] for c in got] == [{"schema": True}, {"schema": False}]
    assert [c["passed"] for c in got] == [True, False]
    assert json.loads(result.stdout)["columns"][0]["passed"] == 1


def test_csv_and_markdown_exports(sim, tmp_path):  # noqa: F811
    args = ["--set", "temperature=0", "--set", JSON_MODE, "--prompts", str(prompt_file(tmp_path))]
    as_csv = compare(*args, "--format", "csv", base_url=sim.base_url)
    assert as_csv.returncode == 0, as_csv.stderr
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [(r["prompt"], r["column"]) for r in rows] == [
        ("an owl as JSON", "1"), ("an owl as JSON", "2"),
        ("a list as JSON", "1"), ("a list as JSON", "2"),
    ]  # fmt: skip
    assert rows[1]["passed"] == "pass" and rows[3]["passed"] == "FAIL"
    assert all(r["completion_tokens"] for r in rows)
    markdown = compare(*args, "--format", "markdown", base_url=sim.base_url)
    assert markdown.returncode == 0, markdown.stderr
    assert markdown.stdout.startswith("# Compare results")
    assert "| an owl as JSON |" in markdown.stdout and "| **summary** |" in markdown.stdout


def test_a_broken_schema_is_bad_usage(sim, tmp_path):  # noqa: F811
    path = tmp_path / "p.json"
    path.write_text(json.dumps([{"prompt": "x", "schema": {"type": 5}}]), encoding="utf-8")
    before = len(sim.simulator.requests)
    result = compare("--prompts", str(path), "--json", base_url=sim.base_url)
    assert result.returncode == 2
    assert "not a valid JSON Schema" in result.stderr
    assert len(sim.simulator.requests) == before
