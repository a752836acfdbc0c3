"""A password (user info) in a server URL is a secret like the API key: hidden in any text."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit, urlunsplit

HIDDEN = "***"


def url_secrets(url: str) -> tuple[str, ...]:
    """The secret strings of ``url``'s user info (as written and percent-decoded), if any."""
    try:
        parts = urlsplit(url if "://" in url else "http://" + url)
    except ValueError:
        return ()
    netloc = parts.netloc
    if "@" not in netloc:
        return ()
    userinfo = netloc.rpartition("@")[0]
    found = {userinfo}
    password = userinfo.partition(":")[2]
    for piece in (password, unquote(password), unquote(userinfo)):
        if piece:
            found.add(piece)
    # Longest first, so that replacing one never leaves a piece of another behind.
    return tuple(sorted(found, key=len, reverse=True))


def redact_url(url: str) -> str:
    """``url`` with its user info replaced by ``***`` (``http://***@host/v1``)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return hide(url, url_secrets(url))
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, f"{HIDDEN}@{host}", parts.path, parts.query, parts.fragment))


def hide(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with every one of ``secrets`` replaced by ``***``."""
    for secret in secrets:
        if secret and secret in text:
            text = text.replace(secret, HIDDEN)
    return text
