"""The simulated tokenizer: text to short word pieces, pieces to stable token ids."""

from __future__ import annotations

import re
import zlib

# Gemma 4 control tokens that the tokenizer keeps whole.
SPECIAL_TOKENS: dict[str, int] = {
    "<pad>": 0,
    "<eos>": 1,
    "<bos>": 2,
    "<|turn>": 105,
    "<turn|>": 106,
    "<|think|>": 98,
    "<|channel>": 100,
    "<channel|>": 101,
    "<|tool>": 46,
    "<tool|>": 47,
    "<|tool_call>": 48,
    "<tool_call|>": 49,
    "<|tool_response>": 50,
    "<tool_response|>": 51,
    '<|"|>': 52,
    "<|image>": 255999,
    "<image|>": 258882,
    "<|image|>": 258880,
}

# `<turn|>` ends a model turn; vLLM reports it as the finish chunk's `stop_reason`.
EOS_TOKEN_ID = SPECIAL_TOKENS["<turn|>"]
IMAGE_SOFT_TOKEN = "<|image|>"
# Gemma 4's default image budget (`max_soft_tokens` 280).
IMAGE_SOFT_TOKENS = 280
VOCAB_SIZE = 262144

_special = "|".join(re.escape(t) for t in sorted(SPECIAL_TOKENS, key=len, reverse=True))
# Every character matches one of the alternatives, so the pieces always join back to the text.
_PIECE = re.compile(
    _special + r"|\n+| ?[^\W\d_]{1,8}| ?\d{1,3}| ?[^\w\s]| ?_|[^\S\n]+",
)


def tokenize(text: str) -> list[str]:
    """Split text into pieces: a word (with its leading space, at most 8 letters), a digit
    group, a punctuation mark, a run of spaces or newlines, or a control token."""
    return _PIECE.findall(text)


def count_tokens(text: str) -> int:
    return sum(1 for _ in _PIECE.finditer(text))


def token_id(piece: str) -> int:
    """A stable id for a piece (control tokens keep their real ids)."""
    special = SPECIAL_TOKENS.get(piece)
    if special is not None:
        return special
    return 1000 + zlib.crc32(piece.encode()) % (VOCAB_SIZE - 2000)
