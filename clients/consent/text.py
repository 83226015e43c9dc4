"""Consent bodies are plain text: paragraphs separated by an empty line, and lines that
start with "- " as bullet points. The same blocks feed the web page and the PDF, so both
show exactly the text that was signed."""

from dataclasses import dataclass

BULLET = "- "


@dataclass(frozen=True)
class Block:
    is_list: bool
    lines: tuple[str, ...]


def normalise_body(body: str) -> str:
    """Line endings unified, trailing spaces and surrounding blank lines dropped: what is
    stored, so that two texts differing only in invisible whitespace compare equal."""
    lines = [line.rstrip() for line in (body or "").replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip()


def text_blocks(body: str) -> list[Block]:
    blocks: list[Block] = []
    current: list[str] = []
    current_is_list = False

    def flush() -> None:
        if current:
            blocks.append(Block(is_list=current_is_list, lines=tuple(current)))
            current.clear()

    for raw in normalise_body(body).split("\n"):
        line = raw.strip()
        if not line:
            flush()
            continue
        is_item = line.startswith(BULLET)
        if is_item != current_is_list:
            flush()
            current_is_list = is_item
        current.append(line[len(BULLET) :].strip() if is_item else line)
    flush()
    return blocks
