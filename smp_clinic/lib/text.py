"""Small pieces of English for labels and summaries built from data."""


def counted(count: int, noun: str) -> str:
    """ "1 hour", "24 hours" (nouns that take an s)."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def ordinal(number: int) -> str:
    """ "1st", "2nd", "3rd", "4th", "11th", "22nd"."""
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th') }"
