"""Search snippets read as plain text: markdown marks gone, matched words kept apart."""

from __future__ import annotations

import pytest

from desktop_app.core.history.snippet import plain_segments, plain_text
from desktop_app.core.history.storage.search import HIGHLIGHT_END as E
from desktop_app.core.history.storage.search import HIGHLIGHT_START as S


@pytest.mark.parametrize(
    ("snippet", "plain"),
    [
        (f"Look at `code` and **bold {S}axolotls{E}** here", "Look at code and bold axolotls here"),
        (f"[a link]({S}http{E}://x.invalid) and ![alt](i.png)", "a link and alt"),
        ("…the end of a link](http://x.inv…", "…the end of a link"),
        ("## Heading\n\n- item one\n> quoted", "Heading item one quoted"),
        ("```python\nprint(1)\n```", "print(1)"),
        ("| a | b |\n|---|---|\n| 1 | 2 |", "a b 1 2"),
        ("snake_case and _emphasis_ and 2 * 3", "snake_case and emphasis and 2 * 3"),
        ("<b>not html</b> \\*escaped\\*", "not html *escaped*"),
    ],
)
def test_markdown_becomes_plain_text(snippet: str, plain: str) -> None:
    assert plain_text(snippet) == plain


def test_matches_are_separate_pieces_and_no_marks_remain() -> None:
    segments = plain_segments(f"an **{S}axolotl{E}** lives in {S}lakes{E}")
    assert segments == [("an ", False), ("axolotl", True), (" lives in ", False), ("lakes", True)]
    assert all(S not in t and E not in t and "«" not in t for t, _ in segments)
