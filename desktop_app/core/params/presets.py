"""Generation presets: the built-ins, the user's own in presets.json, the default for new chats.

A preset holds the sampling fields, the thinking switch and an optional extra body. The file
is written atomically (a crash mid-write leaves the previous one) and read leniently: a
broken file never stops the app; it is kept beside the new one, ``problem`` says where, and
the built-ins (and every preset of the file that could be read) remain.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop_app.api import GemmaAPIError, SamplingParams
from desktop_app.core.chat.conversation import GenerationSettings
from desktop_app.core.files.atomic_write import write_atomically, write_json_atomically
from desktop_app.core.files.damaged_files import set_aside
from desktop_app.core.files.paths import data_dir
from desktop_app.core.history.serialize import sampling_from_dict, sampling_to_dict
from desktop_app.core.params.extra_body import check_extra_body

log = logging.getLogger(__name__)

FILE_FORMAT = "gemma-desk-presets"
FILE_VERSION = 1
MAX_NAME = 60


class PresetError(GemmaAPIError):
    """A preset action that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Preset:
    """A named set of generation settings."""

    name: str
    sampling: SamplingParams = field(default_factory=SamplingParams)
    enable_thinking: bool | None = None
    extra_body: dict[str, Any] = field(default_factory=dict)
    builtin: bool = False

    def apply_to(self, settings: GenerationSettings) -> None:
        """Sets these values on ``settings``; an empty extra body leaves the current one."""
        settings.sampling = self.sampling
        settings.enable_thinking = self.enable_thinking
        if self.extra_body:
            settings.extra_body = copy.deepcopy(self.extra_body)

    def matches(self, settings: GenerationSettings) -> bool:
        return (
            settings.sampling == self.sampling
            and settings.enable_thinking == self.enable_thinking
            and (not self.extra_body or settings.extra_body == self.extra_body)
        )

    def differences(self, settings: GenerationSettings) -> list[str]:
        """The names of the settings that differ from this preset (what `matches` compares)."""
        out = [
            f.name
            for f in dataclasses.fields(SamplingParams)
            if getattr(settings.sampling, f.name) != getattr(self.sampling, f.name)
        ]
        if settings.enable_thinking != self.enable_thinking:
            out.append("thinking")
        if self.extra_body and settings.extra_body != self.extra_body:
            out.append("extra body")
        return out

    def new_settings(self) -> GenerationSettings:
        settings = GenerationSettings()
        self.apply_to(settings)
        return settings

    def to_dict(self) -> dict[str, Any]:
        sampling = {k: v for k, v in sampling_to_dict(self.sampling).items() if v is not None}
        out: dict[str, Any] = {"name": self.name, "sampling": sampling}
        if self.enable_thinking is not None:
            out["enable_thinking"] = self.enable_thinking
        if self.extra_body:
            out["extra_body"] = self.extra_body
        return out

    @classmethod
    def from_dict(cls, data: object, where: str = "preset") -> Preset:
        """Reads one preset; raises PresetError naming what is wrong."""
        if not isinstance(data, dict):
            raise PresetError(f"{where}: expected a JSON object.")
        name = check_name(data.get("name"), where)
        try:
            sampling = sampling_from_dict(data.get("sampling", {}), f"{where}.sampling")
        except ValueError as exc:
            raise PresetError(str(exc)) from exc
        problems = sampling.validate()
        if problems:
            raise PresetError(f"{where} {name!r}: " + "; ".join(problems) + ".")
        thinking = data.get("enable_thinking")
        if thinking is not None and not isinstance(thinking, bool):
            raise PresetError(f"{where} {name!r}: enable_thinking must be true, false or null.")
        extra = data.get("extra_body") or {}
        check = check_extra_body(json.dumps(extra))
        if not check.ok:
            raise PresetError(f"{where} {name!r}: extra_body: " + " ".join(check.errors))
        return cls(name, sampling, thinking, check.value or {})


def check_name(name: object, where: str = "preset") -> str:
    if not isinstance(name, str) or not " ".join(name.split()):
        raise PresetError(f"{where}: a preset needs a name.")
    name = " ".join(name.split())
    if len(name) > MAX_NAME:
        raise PresetError(f"{where}: the name is longer than {MAX_NAME} characters.")
    return name


GEMMA_RECOMMENDED = "Gemma recommended"
DETERMINISTIC = "Deterministic"
CREATIVE = "Creative"

BUILTIN_PRESETS: tuple[Preset, ...] = (
    # The sampling Google recommends for Gemma models.
    Preset(GEMMA_RECOMMENDED, SamplingParams(temperature=1.0, top_p=0.95, top_k=64), builtin=True),
    # Greedy decoding plus a fixed seed: the same prompt gives the same reply.
    Preset(DETERMINISTIC, SamplingParams(temperature=0.0, seed=42), builtin=True),
    # Hotter sampling, with min_p pruning the tail that high temperatures make incoherent.
    Preset(
        CREATIVE,
        SamplingParams(temperature=1.3, top_p=0.98, top_k=100, min_p=0.05, presence_penalty=0.3),
        builtin=True,
    ),
)


def presets_path() -> Path:
    return data_dir() / "presets.json"


class PresetStore(QObject):
    """The built-in and user presets and which one new chats start from."""

    changed = Signal()

    def __init__(
        self, path: Path | None = None, parent: QObject | None = None, read_only: str | None = None
    ) -> None:
        super().__init__(parent)
        self.path = path or presets_path()
        self._user: list[Preset] = []
        self._default = GEMMA_RECOMMENDED
        self.problem: str | None = None
        # Why nothing is written this session (a read-only data folder), or None.
        self.read_only = read_only
        self._load()

    # -- reading -----------------------------------------------------------------------------
    def presets(self) -> list[Preset]:
        return [*BUILTIN_PRESETS, *self._user]

    def names(self) -> list[str]:
        return [p.name for p in self.presets()]

    def get(self, name: str) -> Preset | None:
        key = name.casefold()
        return next((p for p in self.presets() if p.name.casefold() == key), None)

    @property
    def default_name(self) -> str:
        return self._default

    def default(self) -> Preset:
        return self.get(self._default) or BUILTIN_PRESETS[0]

    def default_settings(self) -> GenerationSettings:
        """Settings for a new chat (``ChatController.settings_factory``)."""
        return self.default().new_settings()

    def matching(self, settings: GenerationSettings) -> Preset | None:
        """The first preset whose values the settings carry, if any."""
        return next((p for p in self.presets() if p.matches(settings)), None)

    # -- changing ----------------------------------------------------------------------------
    def save(self, name: str, settings: GenerationSettings, overwrite: bool = False) -> Preset:
        """Stores the settings' sampling, thinking and extra body as a user preset."""
        name = check_name(name)
        existing = self.get(name)
        if existing is not None and existing.builtin:
            raise PresetError(f"“{existing.name}” is a built-in preset; choose another name.")
        if existing is not None and not overwrite:
            raise PresetError(f"A preset named “{existing.name}” already exists.")
        preset = Preset(
            name, settings.sampling, settings.enable_thinking, copy.deepcopy(settings.extra_body)
        )
        if existing is not None:
            self._user[self._user.index(existing)] = preset
        else:
            self._user.append(preset)
        self._commit()
        return preset

    def rename(self, old: str, new: str) -> Preset:
        preset = self._user_preset(old)
        new = check_name(new)
        clash = self.get(new)
        if clash is not None and clash is not preset:
            raise PresetError(f"A preset named “{clash.name}” already exists.")
        renamed = replace(preset, name=new)
        self._user[self._user.index(preset)] = renamed
        if self._default.casefold() == preset.name.casefold():
            self._default = new
        self._commit()
        return renamed

    def delete(self, name: str) -> None:
        preset = self._user_preset(name)
        self._user.remove(preset)
        if self._default.casefold() == preset.name.casefold():
            self._default = GEMMA_RECOMMENDED
        self._commit()

    def set_default(self, name: str) -> None:
        preset = self.get(name)
        if preset is None:
            raise PresetError(f"There is no preset named “{name}”.")
        self._default = preset.name
        self._commit()

    # -- import and export -------------------------------------------------------------------
    def export_text(self, names: list[str] | None = None) -> str:
        """A presets file holding the named presets (all user presets when None)."""
        chosen = self._user if names is None else [p for n in names if (p := self.get(n))]
        data = {
            "format": FILE_FORMAT,
            "version": FILE_VERSION,
            "presets": [p.to_dict() for p in chosen],
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    def export_file(self, path: Path, names: list[str] | None = None) -> None:
        try:
            write_atomically(path, self.export_text(names))
        except OSError as exc:
            raise PresetError(f"Could not write {path}: {exc.strerror or exc}.") from exc

    def import_text(self, text: str | bytes) -> list[Preset]:
        """Adds every preset of a presets file (or one preset object); a name already taken
        gets a number. All or nothing: a bad entry adds none and says which one."""
        incoming = parse_presets(text)
        added: list[Preset] = []
        for preset in incoming:
            name = self._free_name(preset.name, added)
            added.append(replace(preset, name=name, builtin=False))
        self._user.extend(added)
        self._commit()
        return added

    def import_file(self, path: Path) -> list[Preset]:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise PresetError(f"Could not read {path}: {exc.strerror or exc}.") from exc
        return self.import_text(raw)

    # -- internals ---------------------------------------------------------------------------
    def _user_preset(self, name: str) -> Preset:
        preset = self.get(name)
        if preset is None:
            raise PresetError(f"There is no preset named “{name}”.")
        if preset.builtin:
            raise PresetError(f"“{preset.name}” is built in and cannot be renamed or deleted.")
        return preset

    def _free_name(self, name: str, pending: list[Preset]) -> str:
        taken = {n.casefold() for n in self.names()} | {p.name.casefold() for p in pending}
        if name.casefold() not in taken:
            return name
        n = 2
        while f"{name} ({n})".casefold() in taken:
            n += 1
        return f"{name} ({n})"

    def _load(self) -> None:
        try:
            raw = self.path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return
        except OSError as exc:
            # Unreadable is not damaged: leave it alone and never write over it.
            self.problem = f"Your presets could not be read ({exc.strerror or exc})."
            self.read_only = self.read_only or "the presets file could not be read"
            return
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            self._damaged(f"it is not valid JSON: {exc}", whole=True)
            return
        items = data.get("presets") if isinstance(data, dict) else None
        if not isinstance(items, list):
            self._damaged("it holds no list of presets", whole=True)
            return
        version = data.get("version", FILE_VERSION)
        if isinstance(version, int) and version > FILE_VERSION:
            # Not damaged, only newer: read what this version knows and never write over it.
            self.read_only = self.read_only or "the presets file comes from a newer Gemma Desk"
            self.problem = (
                f"Your presets file {self.path} comes from a newer Gemma Desk; it is used as far "
                "as this version understands it and is not changed."
            )
        # One bad preset (a hand edit, an older app) costs that preset only.
        builtin = {p.name.casefold() for p in BUILTIN_PRESETS}
        bad: list[str] = []
        for i, item in enumerate(items):
            try:
                preset = Preset.from_dict(item, f"preset {i + 1}")
            except PresetError as exc:
                bad.append(str(exc))
                continue
            # A hand-edited file may reuse a built-in's name; the built-in wins.
            taken = {p.name.casefold() for p in self._user} | builtin
            if preset.name.casefold() not in taken:
                self._user.append(preset)
        default = data.get("default")
        found = self.get(default) if isinstance(default, str) else None
        if found is not None:
            self._default = found.name
        if bad:
            self._damaged("; ".join(bad), whole=False)

    def _damaged(self, why: str, whole: bool) -> None:
        log.error("presets file %s: %s", self.path, why)
        kept = f"The built-in presets and {len(self._user)} of yours are available."
        if self.read_only:
            where = "The file was left as it is."
        else:
            path, where = set_aside(self.path, copy=not whole)
            if path is None:
                self.read_only = "the damaged presets file could not be set aside"
        head = "was damaged" if whole else "held presets that were left out"
        self.problem = f"Your presets file {self.path} {head} ({why}). {kept} {where}"
        if not whole and not self.read_only:
            self._write()

    def _commit(self) -> None:
        if self.read_only:
            self.problem = (
                f"Presets are not saved this session ({self.read_only}); they are kept until "
                "the app closes. Export them to keep a copy."
            )
        elif self._write():
            self.problem = None
        self.changed.emit()

    def _write(self) -> bool:
        data = {
            "format": FILE_FORMAT,
            "version": FILE_VERSION,
            "default": self._default,
            "presets": [p.to_dict() for p in self._user],
        }
        try:
            write_json_atomically(self.path, data)
        except OSError as exc:
            self.problem = (
                f"Presets could not be saved to {self.path} ({exc.strerror or exc}); they are "
                "kept until the app closes. Export them to keep a copy."
            )
            return False
        return True


def parse_presets(text: str | bytes) -> list[Preset]:
    """The presets of a presets file, or of a single preset object; raises PresetError."""
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PresetError(f"This is not a presets file: it is not valid JSON ({exc}).") from exc
    if isinstance(data, dict) and "presets" in data:
        fmt = data.get("format")
        if fmt is not None and fmt != FILE_FORMAT:
            raise PresetError(f"This is not a presets file (format {fmt!r}).")
        version = data.get("version", FILE_VERSION)
        if isinstance(version, int) and version > FILE_VERSION:
            raise PresetError(
                "These presets come from a newer Gemma Desk; update the app to import them."
            )
        items = data["presets"]
        if not isinstance(items, list):
            raise PresetError('This is not a presets file: "presets" must be a list.')
    elif isinstance(data, dict) and "name" in data:
        items = [data]
    else:
        raise PresetError(
            'This is not a presets file: expected {"presets": [...]} or one preset object.'
        )
    presets = [Preset.from_dict(item, f"preset {i + 1}") for i, item in enumerate(items)]
    seen: set[str] = set()
    for p in presets:
        if p.name.casefold() in seen:
            raise PresetError(f"The file holds two presets named {p.name!r}.")
        seen.add(p.name.casefold())
    return presets
