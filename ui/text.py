"""Counts in words: "1 lead", "2 leads", "about 480,000 leads". Every count the UI prints goes through here."""

from __future__ import annotations

IRREGULAR = {"person": "people"}


def plural_of(word: str) -> str:
    """``lead`` -> ``leads``, ``search`` -> ``searches``, ``company`` -> ``companies``."""
    if word in IRREGULAR:
        return IRREGULAR[word]
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def word_for(n: int, word: str, *, estimate: bool = False, many: str | None = None) -> str:
    """``word`` as it goes with ``n`` (no number): singular only for exactly 1, so 0 and "about 1" take the plural.

    Also for verbs and pronouns, with ``many``: ``word_for(n, "exists", many="exist")``."""
    return word if n == 1 and not estimate else (many or plural_of(word))


def plural(n: int, word: str, *, estimate: bool = False, many: str | None = None) -> str:
    """``n`` with thousands separators and ``word`` agreeing with it; ``estimate`` marks an estimate ("about 480,000").

    The last word is the one inflected, so ``plural(2, "new lead")`` is "2 new leads"; ``many`` overrides that
    word's plural form."""
    head, _, last = word.rpartition(" ")
    inflected = word_for(n, last, estimate=estimate, many=many)
    return f"{'about ' if estimate else ''}{n:,} {head + ' ' if head else ''}{inflected}"


def percent(fraction: float | None) -> str:
    """A share as people read it, with one decimal everywhere: "36.7%", "100.0%", "0.0%" only for none at all and
    "<0.1%" for a few of many (1 of 5,414 is not nothing); "—" when there is nothing to divide."""
    if fraction is None:
        return "—"
    if 0 < fraction < 0.0005:
        return "<0.1%"
    return f"{fraction * 100:.1f}%"

