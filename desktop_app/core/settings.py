"""Non-secret settings in one JSON file: server profiles' names and choices, UI preferences.

Read field by field: a wrong-typed field falls back to its default, a file that is not a
settings object at all gives the defaults, and in both cases the file as it was is kept
beside the new one (see damaged_files) and ``notice`` says so.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from desktop_app.core.chat.conversation import new_id
from desktop_app.core.files.atomic_write import write_json_atomically
from desktop_app.core.files.damaged_files import set_aside
from desktop_app.core.files.paths import settings_path
from desktop_app.core.history.reader import kind

log = logging.getLogger(__name__)


@dataclass
class ProfileSettings:
    """What a profile keeps on disk. The URL and the key live in the keyring, never here."""

    name: str
    model: str = ""
    ca_bundle: str = ""
    id: str = field(default_factory=new_id)


# How long a streamed reply may bring no data (silence, or only keep-alive comments) before
# it ends as an error. 0 turns the limit off.
STALL_LIMIT_KEY = "stall_limit_seconds"
DEFAULT_STALL_SECONDS = 60
MAX_STALL_SECONDS = 3600

# How many compare columns stream from one server at once (the Compare window changes it).
COMPARE_CONCURRENCY_KEY = "compare_concurrency"
DEFAULT_COMPARE_CONCURRENCY = 4
MAX_COMPARE_CONCURRENCY = 8


@dataclass
class Settings:
    profiles: list[ProfileSettings] = field(default_factory=list)
    active_profile: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # room for later panels' choices
    # Not stored: what the window should tell about this file, and why it is not written.
    notice: str | None = field(default=None, compare=False, repr=False)
    read_only: str | None = field(default=None, compare=False, repr=False)

    @classmethod
    def load(cls, path: Path | None = None, read_only: str | None = None) -> Settings:
        """Reads the settings; never raises. ``read_only`` (why) leaves every file untouched."""
        path = path or settings_path()
        try:
            text = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return cls(read_only=read_only)
        except OSError as exc:
            # A file that exists but cannot be read must not be replaced by the defaults.
            log.error("settings file %s unreadable: %s", path, exc)
            return cls(
                notice=f"Your settings file {path} could not be read ({exc.strerror or exc}); "
                "Gemma Desk started with default settings and will not overwrite it.",
                read_only=read_only or "the settings file could not be read",
            )
        try:
            raw = json.loads(text)
        except (ValueError, UnicodeDecodeError) as exc:
            return cls._damaged(path, f"it is not valid JSON: {exc}", read_only)
        if not isinstance(raw, dict):
            return cls._damaged(path, f"it holds {kind(raw)} instead of settings", read_only)
        settings, problems = cls._from_dict(raw)
        settings.read_only = read_only
        if problems:
            what = "; ".join(problems)
            log.error("settings file %s: reset %s", path, what)
            if read_only:
                settings.notice = (
                    f"Some of your settings in {path} were not valid and are ignored this "
                    f"session ({what}). The file was left as it is."
                )
                return settings
            kept, where = set_aside(path, copy=True)
            settings.notice = (
                f"Some of your settings in {path} were not valid and were reset to their "
                f"defaults ({what}). {where}"
            )
            if kept is None:
                settings.read_only = "the damaged settings file could not be set aside"
            else:
                settings.save(path)
        return settings

    @classmethod
    def _damaged(cls, path: Path, why: str, read_only: str | None) -> Settings:
        log.error("settings file %s is damaged: %s", path, why)
        still_read_only: str | None
        if read_only:
            where, still_read_only = "The file was left as it is.", read_only
        else:
            kept, where = set_aside(path, copy=False)
            still_read_only = None if kept else "the damaged settings file could not be set aside"
        return cls(
            notice=f"Your settings file {path} was damaged ({why}). Gemma Desk started with "
            f"default settings. {where}",
            read_only=still_read_only,
        )

    @property
    def stall_seconds(self) -> int:
        """The stall limit in seconds (0: off), from ``extra``; the default when unset or bad."""
        value = self.extra.get(STALL_LIMIT_KEY, DEFAULT_STALL_SECONDS)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return DEFAULT_STALL_SECONDS
        return int(min(max(value, 0), MAX_STALL_SECONDS))

    @stall_seconds.setter
    def stall_seconds(self, seconds: int) -> None:
        self.extra[STALL_LIMIT_KEY] = int(min(max(seconds, 0), MAX_STALL_SECONDS))

    @property
    def compare_concurrency(self) -> int:
        """Compare streams at once per server (1-8), from ``extra``; the default when unset
        or bad."""
        value = self.extra.get(COMPARE_CONCURRENCY_KEY, DEFAULT_COMPARE_CONCURRENCY)
        if isinstance(value, bool) or not isinstance(value, int):
            return DEFAULT_COMPARE_CONCURRENCY
        return min(max(value, 1), MAX_COMPARE_CONCURRENCY)

    @compare_concurrency.setter
    def compare_concurrency(self, limit: int) -> None:
        self.extra[COMPARE_CONCURRENCY_KEY] = min(max(int(limit), 1), MAX_COMPARE_CONCURRENCY)

    @classmethod
    def _from_dict(cls, raw: dict[str, Any]) -> tuple[Settings, list[str]]:
        problems: list[str] = []
        profiles: list[ProfileSettings] = []
        items = raw.get("profiles", [])
        if not isinstance(items, list):
            problems.append(f"profiles was {kind(items)}")
            items = []
        seen: set[str] = set()
        for i, p in enumerate(items):
            if not isinstance(p, dict) or not isinstance(p.get("name"), str):
                problems.append(f"profile {i + 1} had no name and was left out")
                continue
            values = {}
            for key in ("model", "ca_bundle"):
                value = p.get(key, "")
                if not isinstance(value, str):
                    problems.append(f"profile {p['name']!r}: {key} was {kind(value)}")
                    value = ""
                values[key] = value
            ident = p.get("id")
            if not isinstance(ident, str) or not ident or ident in seen:
                problems.append(f"profile {p['name']!r}: its id was missing or repeated")
                ident = new_id()
            seen.add(ident)
            profiles.append(ProfileSettings(name=p["name"], id=ident, **values))
        active = raw.get("active_profile")
        if active is not None and not isinstance(active, str):
            problems.append(f"active_profile was {kind(active)}")
            active = None
        extra = raw.get("extra", {})
        if not isinstance(extra, dict):
            problems.append(f"extra was {kind(extra)}")
            extra = {}
        return cls(profiles=profiles, active_profile=active, extra=extra), problems

    def save(self, path: Path | None = None) -> bool:
        """Writes atomically: a crash mid-write leaves the previous file intact. Returns False
        (and logs why) when nothing was written: a read-only session or a failed write."""
        if self.read_only:
            return False
        path = path or settings_path()
        data = {
            "version": 1,
            "profiles": [asdict(p) for p in self.profiles],
            "active_profile": self.active_profile,
            "extra": self.extra,
        }
        try:
            write_json_atomically(path, data)
        except OSError as exc:
            log.error("settings not saved to %s: %s", path, exc)
            return False
        return True
