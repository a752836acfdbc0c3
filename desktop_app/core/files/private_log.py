"""The app's rotating log file, every file of it readable by its owner only."""

from __future__ import annotations

import io
import logging.handlers
from pathlib import Path

from desktop_app.core.files.file_modes import private_file


class PrivateLogHandler(logging.handlers.RotatingFileHandler):
    """A RotatingFileHandler whose files are 0600 (the log names servers and errors)."""

    def _open(self) -> io.TextIOWrapper:
        private_file(Path(self.baseFilename))
        return super()._open()
