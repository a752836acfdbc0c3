"""A named compare case: prompts with their checks and the columns' settings, saved as a JSON
file to be run again in one click. It never holds a key or a server's address: a column on
another server names that server's profile, whose URL and key stay in the keyring."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from desktop_app.api import SamplingParams
from desktop_app.core.compare.prompts import (
    PromptItem,
    PromptSetError,
    parse_prompt_item,
    prompt_items_json,
)
from desktop_app.core.compare.spec import MAX_COLUMNS, ColumnSpec, check_specs
from desktop_app.core.files.atomic_write import write_json_atomically
from desktop_app.core.files.paths import data_dir, make_private_dir

KIND = "gemma-desk compare case"
VERSION = 1
_SAMPLING = {f.name: f for f in fields(SamplingParams)}
_INTS = {"top_k", "max_tokens", "seed"}


class CaseError(ValueError):
    """The case cannot be read or written; the message says where and why."""


@dataclass
class CompareCase:
    name: str
    prompts: list[PromptItem]
    columns: list[ColumnSpec]
    system: str = ""
    concurrency: int | None = None


def cases_dir() -> Path:
    path = data_dir() / "compare-cases"
    make_private_dir(path)
    return path


def case_path(name: str) -> Path:
    """Where the case called ``name`` is saved (a file name made from the name)."""
    stem = re.sub(r"[^\w.\- ]+", "_", name.strip()).strip(". ") or "case"
    return cases_dir() / f"{stem[:80]}.json"


def saved_cases() -> list[str]:
    """The names of the saved cases, sorted."""
    names = []
    for path in sorted(cases_dir().glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            continue
        if isinstance(data, dict) and data.get("kind") == KIND:
            names.append(str(data.get("name") or path.stem))
    return sorted(names, key=str.casefold)


def column_json(spec: ColumnSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"params": spec.sampling.to_wire()}
    if spec.extra_body:
        out["extra_body"] = dict(spec.extra_body)
    if spec.enable_thinking is not None:
        out["enable_thinking"] = spec.enable_thinking
    if spec.model:
        out["model"] = spec.model
    if spec.server:
        out["server_profile"] = spec.server  # a profile's id: its URL and key are elsewhere
    if spec.label:
        out["label"] = spec.label
    return out


def column_from_json(raw: Any, where: str) -> ColumnSpec:
    """A column as ``column_json`` wrote it; raises CaseError saying what is wrong."""
    return _column(raw, where)


def case_json(case: CompareCase) -> dict[str, Any]:
    return {
        "kind": KIND,
        "version": VERSION,
        "name": case.name,
        "system": case.system,
        "concurrency": case.concurrency,
        "prompts": prompt_items_json(case.prompts),
        "columns": [column_json(c) for c in case.columns],
    }


def _sampling(raw: Any, where: str) -> SamplingParams:
    if not isinstance(raw, dict):
        raise CaseError(f"{where}: \"params\" must be an object")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in _SAMPLING:
            raise CaseError(f"{where}: unknown sampling field {key!r} (use \"extra_body\")")
        if key == "stop":
            if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
                raise CaseError(f"{where}: stop must be a list of strings")
            values[key] = tuple(value)
            continue
        number_ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if not number_ok or (key in _INTS and not float(value).is_integer()):
            raise CaseError(f"{where}: {key} must be a number, got {value!r}")
        if isinstance(value, float) and not math.isfinite(value):
            raise CaseError(f"{where}: {key} must be a finite number")
        values[key] = int(value) if key in _INTS else value
    params = SamplingParams(**values)
    problems = params.validate()
    if problems:
        raise CaseError(f"{where}: " + "; ".join(problems))
    return params


def _column(raw: Any, where: str) -> ColumnSpec:
    if not isinstance(raw, dict):
        raise CaseError(f"{where}: expected an object")
    extra = raw.get("extra_body", {})
    thinking = raw.get("enable_thinking")
    model = raw.get("model")
    server = raw.get("server_profile", "")
    label = raw.get("label", "")
    if not isinstance(extra, dict):
        raise CaseError(f"{where}: \"extra_body\" must be an object")
    if thinking is not None and not isinstance(thinking, bool):
        raise CaseError(f"{where}: \"enable_thinking\" must be true, false or null")
    for key, value in (("model", model or ""), ("server_profile", server), ("label", label)):
        if not isinstance(value, str):
            raise CaseError(f"{where}: \"{key}\" must be a string")
    return ColumnSpec(
        sampling=_sampling(raw.get("params", {}), where),
        enable_thinking=thinking,
        extra_body=extra,
        server=server,
        model=model or None,
        label=label,
    )


def case_from_json(data: Any, where: str = "case") -> CompareCase:
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise CaseError(f"{where}: not a Gemma Desk compare case")
    if data.get("version") != VERSION:
        raise CaseError(f"{where}: version {data.get('version')!r} is not known here")
    prompts, columns = data.get("prompts"), data.get("columns")
    if not isinstance(prompts, list) or not prompts:
        raise CaseError(f"{where}: \"prompts\" must be a non-empty list")
    if not isinstance(columns, list) or not columns:
        raise CaseError(f"{where}: \"columns\" must be a non-empty list")
    if len(columns) > MAX_COLUMNS:
        raise CaseError(f"{where}: {len(columns)} columns; at most {MAX_COLUMNS}")
    try:
        items = [parse_prompt_item(v, f"{where}: prompt {n}") for n, v in enumerate(prompts, 1)]
    except PromptSetError as exc:
        raise CaseError(str(exc)) from None
    specs = [_column(c, f"{where}: column {n}") for n, c in enumerate(columns, 1)]
    concurrency = data.get("concurrency")
    if concurrency is not None and (
        not isinstance(concurrency, int) or isinstance(concurrency, bool) or concurrency < 1
    ):
        raise CaseError(f"{where}: \"concurrency\" must be a whole number of at least 1")
    system = data.get("system") or ""
    if not isinstance(system, str):
        raise CaseError(f"{where}: \"system\" must be a string")
    name = data.get("name")
    return CompareCase(
        name if isinstance(name, str) and name.strip() else where, items, specs, system,
        concurrency,
    )  # fmt: skip


def save_case(case: CompareCase, path: Path | None = None) -> Path:
    """Writes ``case`` (by default under its name in the data folder); raises CaseError."""
    if not case.name.strip():
        raise CaseError("Give the case a name first.")
    problem = check_specs(case.columns)
    if problem:
        raise CaseError(problem)
    target = path or case_path(case.name)
    try:
        write_json_atomically(target, case_json(case))
    except OSError as exc:
        raise CaseError(f"Could not save {target.name}: {exc.strerror or exc}.") from None
    return target


def load_case(path: Path) -> CompareCase:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CaseError(f"{path.name}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseError(f"{path.name}: cannot read it ({exc})") from None
    except (ValueError, RecursionError) as exc:
        raise CaseError(f"{path.name}: not valid JSON ({exc})") from None
    return case_from_json(data, path.name)


def load_named(name: str) -> CompareCase:
    return load_case(case_path(name))
