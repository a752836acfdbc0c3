"""vLLM's load as ``GET /metrics`` shows it, read with prometheus_client's text parser."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client.parser import text_string_to_metric_families

# family name -> its Prometheus type (the sample of a counter is named NAME_total).
_FAMILIES = {
    "vllm:kv_cache_usage_perc": "gauge",
    "vllm:num_requests_running": "gauge",
    "vllm:num_requests_waiting": "gauge",
    "vllm:generation_tokens": "counter",
    "vllm:prompt_tokens": "counter",
}


@dataclass(frozen=True, slots=True)
class ServerLoad:
    """One reading of the load; a field the page did not hold (or held garbled) is None.

    ``kv_cache_usage`` is a fraction (1.0 = full); the token counters grow for the life of
    the server, so a rate comes from two readings (``tokens_per_second``).
    """

    kv_cache_usage: float | None = None
    running: int | None = None
    waiting: int | None = None
    generation_tokens_total: float | None = None
    prompt_tokens_total: float | None = None

    @property
    def empty(self) -> bool:
        return all(
            value is None
            for value in (self.kv_cache_usage, self.running, self.waiting,
                          self.generation_tokens_total, self.prompt_tokens_total)
        )


def tokens_per_second(earlier: ServerLoad, later: ServerLoad, seconds: float) -> float | None:
    """The generation rate between two readings; None when unknown or the server restarted."""
    a, b = earlier.generation_tokens_total, later.generation_tokens_total
    if a is None or b is None or seconds <= 0 or b < a:
        return None
    return (b - a) / seconds


def _family_of(line: str) -> str | None:
    for name, kind in _FAMILIES.items():
        sample = f"{name}_total" if kind == "counter" else name
        if line.startswith(sample) and line[len(sample) : len(sample) + 1] in ("{", " "):
            return name
    return None


def _values(text: str, model: str | None) -> dict[str, list[float]]:
    """Each wanted family's sample values (of ``model`` when the samples say which).

    Only the lines of the wanted families are parsed, and each on its own under its TYPE
    line: a page of hundreds of families costs little, and a line the parser rejects (or an
    unknown family written wrongly) loses that one sample, not the reading.
    """
    values: dict[str, list[float]] = {}
    for raw in text.splitlines():
        line = raw.strip()
        name = _family_of(line) if line and not line.startswith("#") else None
        if name is None:
            continue
        chunk = f"# TYPE {name} {_FAMILIES[name]}\n{line}\n"
        try:
            for family in text_string_to_metric_families(chunk):
                for sample in family.samples:
                    if sample.name.endswith("_created"):
                        continue
                    served = sample.labels.get("model_name")
                    if model is not None and served is not None and served != model:
                        continue
                    values.setdefault(name, []).append(float(sample.value))
        except ValueError:
            continue  # prometheus_client's word for a line it cannot read
    return values


def _count(samples: list[float] | None) -> int | None:
    if not samples or any(v != v or v < 0 for v in samples):  # NaN or negative: garbled
        return None
    return int(sum(samples))


def parse_metrics(text: str, model: str | None = None) -> ServerLoad:
    """The load in a /metrics page; engines of one server (data parallel) are added up,
    except the KV-cache use, which is their mean."""
    values = _values(text, model)
    kv = values.get("vllm:kv_cache_usage_perc")
    kv_usage = sum(kv) / len(kv) if kv else None
    if kv_usage is not None and not 0.0 <= kv_usage <= 1.0:
        kv_usage = None
    gen = values.get("vllm:generation_tokens")
    prompt = values.get("vllm:prompt_tokens")
    return ServerLoad(
        kv_cache_usage=kv_usage,
        running=_count(values.get("vllm:num_requests_running")),
        waiting=_count(values.get("vllm:num_requests_waiting")),
        generation_tokens_total=sum(gen) if gen else None,
        prompt_tokens_total=sum(prompt) if prompt else None,
    )
