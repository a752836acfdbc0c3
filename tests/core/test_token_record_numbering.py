"""The token record made from the numbers a log keeps as it grows is the record the scan of all
its strings makes (the one stored before), for every prefix a history save can see; and the
details line's summary numbers are those of a plain loop."""

from __future__ import annotations

import json
import math
import random

from desktop_app.api.logprobs import TokenChoice, TokenLog, TokenLogprob, known
from desktop_app.core.tokens.record import (
    _numbered,
    _scanned,
    tokens_from_record,
    tokens_to_record,
)
from desktop_app.core.tokens.stats import summarize

WORDS = ["the", " cat", " sat", "\n", "", "é", "bytes:\\xe2", " on", " mat", ".", "!"]


def _random_log(rng: random.Random, size: int) -> TokenLog:
    """Tokens that repeat, alternatives that later become sampled tokens (and the reverse),
    tokens without alternatives, bytes that differ from the text, unknown numbers."""
    entries = []
    for i in range(size):
        token = rng.choice(WORDS) if rng.random() < 0.7 else f"w{rng.randrange(size)}"
        raw = token.encode() if rng.random() < 0.9 else rng.choice([None, b"\xe2"])
        top = tuple(
            TokenChoice(rng.choice(WORDS) if rng.random() < 0.5 else f"a{rng.randrange(size)}",
                        rng.choice([-rng.random() * 5, math.nan, -math.inf]),
                        None if rng.random() < 0.05 else b"x")
            for _ in range(rng.choice([0, 1, 5, 20])))
        entries.append(TokenLogprob(token, -rng.random() * 3 if i % 7 else math.nan, raw, top))
    log = TokenLog()
    for start in range(0, size, 3):  # in chunks, as a stream delivers them
        log.extend(entries[start:start + 3])
    return log


def test_the_numbered_table_is_the_scanned_one_for_every_prefix():
    rng = random.Random(7)
    for size in (0, 1, 2, 40, 300):
        log = _random_log(rng, size)
        c = log.columns()
        ids = log.string_ids()
        for n in range(len(log) + 1):
            alt_n = c.alt_end[n - 1] if n else 0
            numbered = _numbered(ids, n, alt_n)
            assert numbered is not None
            strings, token_ids, alt_ids = numbered
            old_strings, old_ids, old_alt_ids = _scanned(c, n, alt_n)
            assert strings == old_strings
            assert token_ids.tobytes() == old_ids.tobytes()
            assert alt_ids.tobytes() == old_alt_ids.tobytes()


def test_the_stored_record_is_the_same_as_from_a_scan():
    rng = random.Random(11)
    for size in (1, 50, 2000):
        log = _random_log(rng, size)
        record = tokens_to_record(log)
        # A log read back from its record has no numbers: its record comes from the scan.
        read_back = tokens_from_record(record, "")
        assert read_back is not None and read_back.string_ids() is None
        again = tokens_to_record(read_back)
        assert json.dumps(record, sort_keys=True) == json.dumps(again, sort_keys=True)
        assert json.dumps(read_back.to_json()) == json.dumps(log.to_json())


def test_a_log_read_back_and_extended_still_records_every_token():
    log = _random_log(random.Random(3), 30)
    read_back = tokens_from_record(tokens_to_record(log), "")
    assert read_back is not None
    extra = [TokenLogprob("new", -0.5, b"new", (TokenChoice("the", -1.0, b"the"),))]
    read_back.extend(extra)
    log.extend(extra)
    assert tokens_to_record(read_back) == tokens_to_record(log)


def test_summary_numbers_are_those_of_a_plain_loop():
    rng = random.Random(5)
    values = [rng.choice([math.nan, -math.inf, math.inf, -0.0]) if rng.random() < 0.05
              else -rng.expovariate(1.0) for _ in range(5000)]
    log = TokenLog(TokenLogprob("t", v, b"t") for v in values)
    total, count, below, cut = 0.0, 0, 0, math.log(0.5)
    for value in values:
        if known(value):
            total += value
            count += 1
            below += value < cut
    summary = summarize(log)
    assert (summary.count, summary.known, summary.below) == (5000, count, below)
    assert summary.mean_logprob == total / count  # the same additions in the same order
    assert summarize(TokenLog()).mean_logprob is None
