"""The history store's exceptions; every message is written for the user to read.

``StorageError`` is the root: the app catches it and shows ``str(error)``.
``NotFoundError`` names a conversation or message that is not there,
``NewerSchemaError`` a database written by a newer Gemma Desk, and
``ImportFormatError`` a file that is not a conversation this app can read.
"""

from __future__ import annotations


class StorageError(Exception):
    """The history could not be read or written; the message says why and what to do."""


class NotFoundError(StorageError):
    """A conversation or message id that the store does not hold."""


class NewerSchemaError(StorageError):
    """The database comes from a newer version of the app and is left untouched."""


class ImportFormatError(StorageError):
    """A file offered for import is not a conversation; nothing was changed."""
