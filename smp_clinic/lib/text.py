"""Small pieces of English for labels and summaries built from data."""

from collections.abc import Iterable


def and_list(items: Iterable[object]) -> str:
    """ "48" / "48 and 24" / "72, 48 and 24": the way a sentence lists things."""
    words = [str(item) for item in items]
    if len(words) <= 2:
        return " and ".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def counted(count: int, noun: str) -> str:
    """ "1 hour", "24 hours" (nouns that take an s)."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def ordinal(number: int) -> str:
    """ "1st", "2nd", "3rd", "4th", "11th", "22nd"."""
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th') }"
