from django import template

from sessions_app.zones import ZONE_LABELS

register = template.Library()


@register.filter
def zone_labels(codes) -> str:
    """["front_hairline", "crown"] -> "Front hairline, Crown" (unknown codes as they are)."""
    return ", ".join(ZONE_LABELS.get(code, code) for code in codes or [])


@register.filter
def field_words(name: str) -> str:
    """ "pigment_lot" -> "pigment lot": a record field named in words, as the forms name it."""
    return str(name).replace("_", " ")
