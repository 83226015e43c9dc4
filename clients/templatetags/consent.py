from django import template

from clients.consent.text import Block, text_blocks

register = template.Library()


@register.filter
def consent_blocks(body: str) -> list[Block]:
    """A consent body as paragraphs and bullet lists (see clients.consent.text)."""
    return text_blocks(body)
