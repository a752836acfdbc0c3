"""Presets: built-ins, save/rename/delete/default, the file on disk, import and export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_app.api import SamplingParams
from desktop_app.core.chat.conversation import GenerationSettings
from desktop_app.core.params.extra_body import check_extra_body
from desktop_app.core.params.presets import (
    CREATIVE,
    DETERMINISTIC,
    GEMMA_RECOMMENDED,
    PresetError,
    PresetStore,
    presets_path,
)


def settings(**sampling) -> GenerationSettings:
    return GenerationSettings(sampling=SamplingParams(**sampling))


def test_builtins_and_the_default_for_new_chats():
    store = PresetStore()
    assert store.names()[:3] == [GEMMA_RECOMMENDED, DETERMINISTIC, CREATIVE]
    gemma = store.get(GEMMA_RECOMMENDED)
    assert gemma.sampling.to_wire() == {"temperature": 1.0, "top_p": 0.95, "top_k": 64}
    det = store.get(DETERMINISTIC)
    assert det.sampling.temperature == 0 and det.sampling.seed is not None
    assert all(not p.sampling.validate() for p in store.presets())
    assert store.default_settings().sampling == gemma.sampling
    assert store.matching(store.default_settings()).name == GEMMA_RECOMMENDED
    assert not presets_path().exists()  # nothing written until something changes


def test_save_rename_default_delete_persist_across_restarts():
    store = PresetStore()
    extra = {"response_format": {"type": "json_object"}}
    s = settings(temperature=0.3, stop=("END",))
    s.enable_thinking = True
    s.extra_body = extra
    store.save("  My   JSON  ", s)
    assert store.get("my json").name == "My JSON"  # spaces collapsed, lookup ignores case
    store.set_default("My JSON")
    store.rename("My JSON", "Strict JSON")

    again = PresetStore()
    assert again.default_name == "Strict JSON"
    new = again.default_settings()
    assert new.sampling == SamplingParams(temperature=0.3, stop=("END",))
    assert new.enable_thinking is True and new.extra_body == extra
    assert again.get("My JSON") is None
    # No temporary files are left next to the presets file.
    assert [p.name for p in presets_path().parent.iterdir() if "presets" in p.name] == [
        "presets.json"
    ]
    again.delete("Strict JSON")
    assert PresetStore().default_name == GEMMA_RECOMMENDED


def test_builtins_cannot_be_changed_and_names_must_be_free():
    store = PresetStore()
    with pytest.raises(PresetError, match="built-in"):
        store.save("deterministic", settings(temperature=1.0))
    with pytest.raises(PresetError, match="built in"):
        store.rename(CREATIVE, "Wild")
    with pytest.raises(PresetError, match="built in"):
        store.delete(GEMMA_RECOMMENDED)
    store.save("Mine", settings(top_k=5))
    with pytest.raises(PresetError, match="already exists"):
        store.save("MINE", settings(top_k=6))
    store.save("MINE", settings(top_k=6), overwrite=True)
    assert store.get("Mine").sampling.top_k == 6
    with pytest.raises(PresetError, match="needs a name"):
        store.save("   ", settings())
    with pytest.raises(PresetError, match="no preset"):
        store.set_default("Nope")


def test_export_then_import_round_trips(tmp_path: Path):
    store = PresetStore()
    a = settings(temperature=0.25, top_p=0.5, seed=-7, stop=("\n\n", "Q:"))
    a.extra_body = {"structured_outputs": {"regex": "[a-z]+"}}
    store.save("Alpha", a)
    b = settings(max_tokens=77, repetition_penalty=1.2, presence_penalty=-1.5)
    b.enable_thinking = False
    store.save("Beta", b)
    path = tmp_path / "exported.json"
    store.export_file(path)
    exported = [p.to_dict() for p in store.presets()[3:]]

    other = PresetStore(tmp_path / "elsewhere" / "presets.json")
    added = other.import_file(path)
    assert [p.to_dict() for p in added] == exported
    # Importing again keeps both copies, numbered, never overwriting.
    second = other.import_file(path)
    assert [p.name for p in second] == ["Alpha (2)", "Beta (2)"]
    assert json.loads(path.read_text())["format"] == "gemma-desk-presets"


def test_a_single_preset_object_can_be_imported():
    store = PresetStore()
    added = store.import_text('{"name": "Solo", "sampling": {"min_p": 0.1}}')
    assert added[0].sampling == SamplingParams(min_p=0.1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not valid JSON"),
        ("[1, 2]", "not a presets file"),
        ('{"presets": [{"name": "Hot", "sampling": {"temperature": 9}}]}', "between 0 and 2"),
        ('{"presets": [{"name": "X", "sampling": {"top_k": 1.5}}]}', "whole number"),
        ('{"presets": [{"name": "X", "extra_body": {"temperature": 1}}]}', "own control"),
        ('{"presets": [{"name": "X"}, {"name": "x"}]}', "two presets"),
        ('{"format": "other", "presets": []}', "not a presets file"),
        ('{"presets": [], "version": 99}', "newer Gemma Desk"),
    ],
)
def test_bad_imports_are_refused_whole_with_a_reason(text: str, message: str):
    store = PresetStore()
    store.save("Keep", settings(top_k=3))
    with pytest.raises(PresetError, match=message):
        store.import_text(text)
    assert store.names()[3:] == ["Keep"]


def test_a_broken_file_keeps_builtins_and_says_so():
    presets_path().write_text("{ broken", encoding="utf-8")
    store = PresetStore()
    assert store.problem and "was damaged" in store.problem
    assert store.get(GEMMA_RECOMMENDED) is not None
    store.save("Fresh", settings(top_k=1))  # saving writes a new file...
    assert store.problem is None
    assert PresetStore().get("Fresh") is not None
    # ...and the broken one is still there, under a name that says what it is.
    [kept] = presets_path().parent.glob("presets.damaged-*.json")
    assert kept.read_text(encoding="utf-8") == "{ broken"


def test_apply_keeps_an_extra_body_the_preset_does_not_set():
    store = PresetStore()
    s = settings(temperature=0.1)
    s.extra_body = {"min_tokens": 4}
    store.get(CREATIVE).apply_to(s)
    assert s.sampling == store.get(CREATIVE).sampling
    assert s.extra_body == {"min_tokens": 4}
    assert store.matching(s).name == CREATIVE


@pytest.mark.parametrize(
    ("text", "ok", "needle"),
    [
        ("", True, ""),
        ('{"response_format": {"type": "json_object"}}', True, ""),
        ("{", False, "Not valid JSON"),
        ("[]", False, "JSON object"),
        ('{"top_p": 0.5}', False, "own control"),
        ('{"max_completion_tokens": 5}', False, "max_tokens"),
        ('{"chat_template_kwargs": {"enable_thinking": true}}', False, "Thinking toggle"),
        ('{"guided_json": {}}', False, "removed in vLLM 0.12"),
        ('{"stream": false}', False, "Stream toggle"),
        ('{"response_format": "json"}', False, "must be a JSON object"),
        ('{"n": 3}', False, "one reply"),
    ],
)
def test_extra_body_checks(text: str, ok: bool, needle: str):
    check = check_extra_body(text)
    assert check.ok is ok
    assert needle in " ".join(check.errors)


def test_unknown_extra_fields_warn_without_blocking():
    check = check_extra_body('{"temprature": 0.5}')
    assert check.ok
    assert "not a vLLM request field" in check.warnings[0]
