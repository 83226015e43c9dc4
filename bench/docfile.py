"""docs/benchmarks.md holds one section per benchmark; each script rewrites only its own."""

from pathlib import Path

PATH = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def replace_between(begin: str, end: str, text: str, *, default_after: str = "") -> None:
    """Put ``text`` between the marker lines ``begin`` and ``end`` (added at the end of the
    file, after ``default_after``, when the markers are missing)."""
    current = PATH.read_text(encoding="utf-8") if PATH.exists() else "# Benchmarks\n"
    block = f"{begin}\n{text.strip()}\n{end}"
    if begin in current and end in current:
        head, rest = current.split(begin, 1)
        _, tail = rest.split(end, 1)
        current = head + block + tail
    else:
        current = current.rstrip() + "\n\n" + default_after + block + "\n"
    PATH.write_text(current, encoding="utf-8")
