"""Facts pulled from a prompt to fill tool arguments: places, numbers, currencies, units."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_NOT_PLACES = {
    "a", "also", "and", "any", "are", "ask", "both", "but", "call", "can", "check", "compare",
    "compute", "convert", "could", "calculate", "do", "does", "each", "find", "fetch", "get",
    "give", "hello", "hey", "hi", "how", "i", "if", "in", "is", "it", "look", "lookup", "me",
    "my", "now", "ok", "okay", "please", "run", "search", "should", "show", "tell", "thanks",
    "the", "then", "there", "these", "this", "today", "tomorrow", "two", "use", "what", "when",
    "where", "which", "who", "why", "will", "would", "weather", "yes", "you", "your", "celsius",
    "fahrenheit", "kelvin", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday", "python", "json", "markdown",
}
_KNOWN_CITIES = (
    "amsterdam", "bangkok", "barcelona", "beijing", "berlin", "boston", "cairo", "chicago",
    "dubai", "istanbul", "lisbon", "london", "los angeles", "madrid", "mexico city", "moscow",
    "mumbai", "nairobi", "new york", "oslo", "paris", "prague", "rome", "san francisco",
    "seoul", "singapore", "sydney", "tokyo", "toronto", "vienna", "zurich",
)
_CURRENCIES = ("USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "CNY", "INR", "SEK", "NOK")
_UNITS = (
    "celsius", "fahrenheit", "kelvin", "km", "kilometers", "miles", "meters", "feet", "kg",
    "kilograms", "pounds", "lb", "liters", "gallons",
)
_CAPITALISED = re.compile(r"\b[A-Z][a-zà-ÿ]+(?:[ -][A-Z][a-zà-ÿ]+)*")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?")
_EXPRESSION = re.compile(r"[-(]*\d+(?:\.\d+)?(?:\s*[-+*/^x×÷%]\s*[(]*\d+(?:\.\d+)?[)]*)+")
_QUOTED = re.compile(r"[\"“'‘]([^\"”'’]{2,80})[\"”'’]")
_URL = re.compile(r"https?://\S+")
_LEAD = re.compile(
    r"^(?:please\s+|can you\s+|could you\s+|use\s+(?:the|a|your)\s+\w+\s+(?:tool\s+)?(?:to\s+)?|"
    r"search\s+(?:for|the web for)?\s*|look\s+up\s+|find\s+|call\s+\w+\s+(?:with|for)?\s*)+",
    re.IGNORECASE,
)


@dataclass
class PromptFacts:
    """What a tool argument may be drawn from, in the order the prompt mentions it."""

    text: str
    places: list[str] = field(default_factory=list)
    numbers: list[float] = field(default_factory=list)
    currencies: list[str] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    expression: str | None = None
    quoted: str | None = None
    url: str | None = None

    @property
    def query(self) -> str:
        """The prompt reduced to what a search box would receive."""
        if self.quoted:
            return self.quoted
        stripped = _LEAD.sub("", self.text.strip()).strip(" ?.!")
        return stripped[:120] or "example"

    def place(self, slot: int) -> str:
        if slot < len(self.places):
            return self.places[slot]
        defaults = ("Paris", "Tokyo", "London")
        return defaults[slot % len(defaults)] if not self.places else self.places[-1]

    def number(self, slot: int) -> float | None:
        return self.numbers[slot] if slot < len(self.numbers) else None


def extract_facts(text: str, exclude: set[str] | frozenset[str] = frozenset()) -> PromptFacts:
    """Read places (capitalised names or known cities), numbers, currencies and more."""
    facts = PromptFacts(text=text)
    lowered = text.lower()
    found: list[tuple[int, str]] = []
    for match in _CAPITALISED.finditer(text):
        words = match.group(0).split()
        while words and words[0].lower() in _NOT_PLACES | exclude:
            words.pop(0)
        name = " ".join(words)
        start = match.start() + match.group(0).find(name) if name else 0
        sentence_start = not text[:start].strip() or text[:start].rstrip()[-1] in ".!?:"
        if sentence_start and " " not in name and name.lower() not in _KNOWN_CITIES:
            continue  # a capitalised first word is usually a verb ("Plan", "Book")
        if name and name.lower() not in _NOT_PLACES | exclude and name.upper() not in _CURRENCIES:
            found.append((start, name))
    for city in _KNOWN_CITIES:
        for match in re.finditer(rf"\b{city}\b", lowered):
            if not any(start <= match.start() < start + len(n) for start, n in found):
                found.append((match.start(), city.title()))
    for _, name in sorted(found):
        if name not in facts.places:
            facts.places.append(name)
    facts.numbers = [float(n) for n in _NUMBER.findall(text)]
    facts.currencies = [c for c in re.findall(r"\b[A-Z]{3}\b", text.upper()) if c in _CURRENCIES]
    facts.units = [u for u in re.findall(r"\b[a-z]+\b", lowered) if u in _UNITS]
    expression = _EXPRESSION.search(text)
    facts.expression = expression.group(0).strip() if expression else None
    quoted = _QUOTED.search(text)
    facts.quoted = quoted.group(1) if quoted else None
    url = _URL.search(text)
    facts.url = url.group(0).rstrip(".,)") if url else None
    return facts
