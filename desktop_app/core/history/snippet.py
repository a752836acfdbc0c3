"""Search snippets as plain text: markdown marks removed, the matched words kept apart."""

from __future__ import annotations

import re

from desktop_app.core.history.storage.search import HIGHLIGHT_END, HIGHLIGHT_START

# Each rule turns a piece of markdown into the text a reader sees; the snippet may start or
# end inside a construct (it is cut at word boundaries), so half a link or fence is handled.
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>~|<])")
_PRIVATE = 0xE000

_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"```[^\s`]*"), " "),  # code fences, with their language
    (re.compile(r"!?\[([^\]]*)\]\([^)\s]*\)?"), r"\1"),  # [text](url), ![alt](url)
    (re.compile(r"\]\([^)\s]*\)?"), ""),  # the end of a link cut at its start
    (re.compile(r"<(https?://[^>\s]*)>"), r"\1"),  # autolinks
    (re.compile(r"</?[A-Za-z][^>\n]*>"), ""),  # inline HTML tags
    (re.compile(r"(?m)^\s{0,3}(?:#{1,6}|>+|[-*+]|\d+[.)])\s+"), ""),  # headings, quotes, lists
    (re.compile(r"(?:^|(?<=\s))(?:#{1,6}|>+)\s+"), " "),  # the same after a joined line
    (re.compile(r"(\*{1,3}|~~)(?=\S)|(?<=\S)(\*{1,3}|~~)"), ""),  # bold, italic, strike
    # _emphasis_, but not the underscores of snake_case (the match marks count as letters)
    (re.compile(r"(?<![\w\x02\x03])_{1,3}(?=\S)|(?<=\S)_{1,3}(?![\w\x02\x03])"), ""),
    (re.compile(r"(?:(?<=\s)|(?<=\|)|^):?-{3,}:?(?=\s|\||$)"), ""),  # table rules
    (re.compile(r"`+"), ""),  # inline code marks
    (re.compile(r"^\s*\|?|\s*\|\s*"), " "),  # table pipes
]


def plain_segments(snippet: str) -> list[tuple[str, bool]]:
    """The snippet as (text, is_match) pieces of plain text, whitespace collapsed."""
    # Escaped characters (\\*) are set aside as private-use characters first, so no rule
    # reads them as markdown, and put back at the end.
    text = _ESCAPED.sub(lambda m: chr(_PRIVATE + ord(m.group(1))), snippet)
    # The match marks are control characters: markdown rules never touch them.
    for pattern, repl in _RULES:
        text = pattern.sub(repl, text)
    text = " ".join(text.split())
    text = re.sub("[\ue000-\ue07f]", lambda m: chr(ord(m.group()) - _PRIVATE), text)
    segments: list[tuple[str, bool]] = []
    match = False
    for part in re.split(f"([{HIGHLIGHT_START}{HIGHLIGHT_END}])", text):
        if part == HIGHLIGHT_START:
            match = True
        elif part == HIGHLIGHT_END:
            match = False
        elif part:
            segments.append((part, match))
    return segments


def plain_text(snippet: str) -> str:
    return "".join(text for text, _ in plain_segments(snippet))
