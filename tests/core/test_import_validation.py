"""Sampling values vLLM would refuse never get in: imports leave them out and say so, and a
history that already holds them still opens, with them reset and a notice."""

from __future__ import annotations

import json
import math
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.api import SamplingParams
from desktop_app.core.chat.conversation import (
    ChatMessage,
    Conversation,
    GenerationSettings,
    ReplyInfo,
)
from desktop_app.core.files.paths import database_path
from desktop_app.core.history.storage import HistoryStore, ImportFormatError
from desktop_app.core.history.storage.exchange import export_dict, import_conversation_json

ROOT = Path(__file__).resolve().parents[2]


def conversation() -> Conversation:
    return Conversation(
        title="Rivers",
        settings=GenerationSettings(sampling=SamplingParams(temperature=0.7, top_p=0.9, top_k=40)),
        messages=[
            ChatMessage(role="user", content="Name a river"),
            ChatMessage(
                role="assistant",
                content="The Tagus.",
                reply=ReplyInfo(model="gemma", params={"temperature": 0.7, "top_k": 40}),
            ),
        ],
    )


def exported(**parameters: object) -> dict:
    data = export_dict(conversation())
    data["parameters"].update(parameters)
    return data


# Python's json writes and reads NaN and Infinity as bare words, as other tools do too.
BAD_VALUES = [
    ("temperature", math.nan, "temperature"),
    ("temperature", math.inf, "temperature"),
    ("temperature", 7.5, "between 0 and 2"),
    ("top_p", 0, "top_p"),
    ("top_k", 2.5, "whole number"),
    ("max_tokens", "lots", "max_tokens"),
    ("seed", 2**70, "seed"),
    ("min_p", True, "min_p"),
    ("stop", [""], "stop"),
    ("stop", "END", "stop"),
]


@pytest.mark.parametrize(("name", "value", "said"), BAD_VALUES)
def test_a_bad_parameter_is_left_out_and_named(name, value, said) -> None:
    text = json.dumps(exported(**{name: value}))
    conv = import_conversation_json(text)
    assert getattr(conv.settings.sampling, name) is None
    # The rest of the file comes in unchanged.
    assert [m.content for m in conv.messages] == ["Name a river", "The Tagus."]
    kept = {"temperature": 0.7, "top_p": 0.9, "top_k": 40}
    for other, v in kept.items():
        if other != name:
            assert getattr(conv.settings.sampling, other) == v
    assert len(conv.notices) == 1
    assert f"parameters.{name}" in conv.notices[0] and said in conv.notices[0]
    # What the app would now send can be written as JSON and is all in range.
    assert not conv.settings.sampling.validate()
    json.dumps(conv.build_request("m").to_wire(), allow_nan=False)


def test_a_bad_value_in_a_replys_provenance_is_left_out() -> None:
    data = export_dict(conversation())
    data["gemma_desk"]["messages"][1]["reply"]["params"]["temperature"] = math.nan
    conv = import_conversation_json(json.dumps(data))
    assert conv.messages[1].reply.params == {"top_k": 40}
    assert "gemma_desk.messages[1].reply.params.temperature" in conv.notices[0]


def test_bad_values_in_the_exact_settings_copy_are_left_out() -> None:
    c = conversation()
    c.settings.extra_body = {"top_n_sigma": 1.0}
    c.settings.tools = []
    data = export_dict(c)
    data.setdefault("gemma_desk", {})["settings"] = {
        "sampling": {"temperature": "warm", "top_p": 0.5}
    }
    conv = import_conversation_json(json.dumps(data))
    assert conv.settings.sampling == SamplingParams(top_p=0.5)
    assert "gemma_desk.settings.sampling.temperature" in conv.notices[0]


def test_a_request_body_with_infinity_imports_without_it() -> None:
    body = '{"messages": [{"role": "user", "content": "hi"}], "temperature": Infinity, "top_p": 1}'
    conv = import_conversation_json(body)
    assert conv.settings.sampling == SamplingParams(top_p=1)
    assert "request.temperature" in conv.notices[0]


def test_a_good_file_has_no_notice() -> None:
    conv = import_conversation_json(json.dumps(export_dict(conversation())))
    assert conv.notices == []


def test_a_file_that_is_wrong_in_other_ways_is_still_refused() -> None:
    data = exported(temperature=math.nan)
    data["messages"] = "not a list"
    with pytest.raises(ImportFormatError, match="messages"):
        import_conversation_json(json.dumps(data))


# ---- the load path: a history that already holds such values ---------------------------


def store_with_bad_values(path: Path, wrong_types: bool = True) -> str:
    with HistoryStore(path) as store:
        c = conversation()
        store.save_conversation(c)
    db = sqlite3.connect(path)
    with db:
        settings = json.loads(db.execute("SELECT settings FROM conversations").fetchone()[0])
        settings["sampling"].update(temperature=math.nan, min_p=math.inf)
        if wrong_types:
            settings["sampling"].update(top_k=math.inf, top_p="high")
        db.execute("UPDATE conversations SET settings = ?", (json.dumps(settings),))
        row = db.execute("SELECT id, data FROM messages WHERE role = 'assistant'").fetchone()
        data = json.loads(row[1])
        data["reply"]["params"]["temperature"] = math.nan
        db.execute("UPDATE messages SET data = ? WHERE id = ?", (json.dumps(data), row[0]))
    db.close()
    return c.id


def test_stored_bad_values_are_reset_on_load_with_a_notice(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    conv_id = store_with_bad_values(path)
    with HistoryStore(path) as store:
        conv = store.load_conversation(conv_id)
    assert conv.settings.sampling == SamplingParams()
    assert conv.messages[1].reply.params == {"top_k": 40}
    assert not conv.read_only  # only the bad values were reset; it stays writable
    notice = " ".join(conv.notices)
    for field in ("temperature", "min_p", "top_k", "top_p", f"reply {conv.messages[1].id}"):
        assert field in notice


def test_the_app_starts_over_a_history_with_bad_values() -> None:
    # Values the stored settings' types allow, so the conversation opens at start-up.
    conv_id = store_with_bad_values(database_path(), wrong_types=False)
    run = subprocess.run(
        [sys.executable, "-m", "desktop_app", "--smoke-test"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "smoke-test: ok" in run.stdout
    assert "Traceback" not in run.stderr
    with HistoryStore() as store:
        assert store.load_conversation(conv_id).messages[0].content == "Name a river"
