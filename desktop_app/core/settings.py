"""Non-secret settings in one JSON file: server profiles' names and choices, UI preferences."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from desktop_app.core.chat.conversation import new_id
from desktop_app.core.paths import settings_path

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


@dataclass
class Settings:
    profiles: list[ProfileSettings] = field(default_factory=list)
    active_profile: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # room for later panels' choices

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        path = path or settings_path()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as exc:
            log.error("settings file %s unreadable (%s); starting with defaults", path, exc)
            return cls()
        profiles = []
        for p in raw.get("profiles", []):
            if isinstance(p, dict) and isinstance(p.get("name"), str):
                profiles.append(
                    ProfileSettings(
                        name=p["name"],
                        model=str(p.get("model", "")),
                        ca_bundle=str(p.get("ca_bundle", "")),
                        id=str(p.get("id") or new_id()),
                    )
                )
        extra = raw.get("extra")
        return cls(
            profiles=profiles,
            active_profile=raw.get("active_profile"),
            extra=extra if isinstance(extra, dict) else {},
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

    def save(self, path: Path | None = None) -> None:
        """Writes atomically: a crash mid-write leaves the previous file intact."""
        path = path or settings_path()
        data = {
            "version": 1,
            "profiles": [asdict(p) for p in self.profiles],
            "active_profile": self.active_profile,
            "extra": self.extra,
        }
        fd, tmp = tempfile.mkstemp(prefix=".settings-", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, indent=2)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
