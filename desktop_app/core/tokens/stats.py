"""Summary numbers of a reply's tokens: mean logprob, perplexity, low-confidence count, entropy."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import reduce
from operator import add

from desktop_app.api.logprobs import TokenLog, known

# A token whose probability is below this counts as low-confidence on the details line.
LOW_PROBABILITY = 0.5


@dataclass(frozen=True)
class TokenSummary:
    """What the details line says about a reply's tokens."""

    count: int
    known: int  # tokens with a finite logprob
    mean_logprob: float | None
    below: int  # known tokens under `threshold`
    threshold: float

    @property
    def perplexity(self) -> float | None:
        return None if self.mean_logprob is None else math.exp(-self.mean_logprob)

    def line(self) -> str:
        """One line for the details line ("" when nothing is known)."""
        if self.mean_logprob is None:
            return f"{self.count} tokens, probabilities unknown" if self.count else ""
        unknown = self.count - self.known
        text = (
            f"mean logprob {self.mean_logprob:.2f} · perplexity {self.perplexity:.2f} · "
            f"{self.below} of {self.count} tokens under {self.threshold:.0%}"
        )
        return text + (f" · {unknown} unknown" if unknown else "")


def summarize(tokens: TokenLog, threshold: float = LOW_PROBABILITY) -> TokenSummary:
    # C-level loops (filter, reduce, map), no Python code per token: this runs on the window's
    # thread when a reply ends. reduce adds in order, as a loop would (sum() compensates).
    cut = math.log(threshold)
    finite = list(filter(math.isfinite, tokens.logprobs()))
    count = len(finite)
    total = reduce(add, finite, 0.0)
    below = sum(map(cut.__gt__, finite))
    mean = total / count if count else None
    return TokenSummary(len(tokens), count, mean, below, threshold)


def entropy(tokens: TokenLog, i: int) -> float | None:
    """The entropy (nats) of the alternatives sent for token ``i``, renormalised over them:
    a lower bound on the model's own, since only the top few are known."""
    probs = [math.exp(lp) for lp in tokens.alternative_logprobs(i) if known(lp)]
    mass = sum(probs)
    if not probs or mass <= 0:
        return None
    return -sum(p / mass * math.log(p / mass) for p in probs if p > 0)
