from django import template

register = template.Library()


@register.filter
def days_ago(days: int | None) -> str:
    """An intake's age in words a front desk reads at a glance: "today", "3 days ago"."""
    if days is None:
        return ""
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    return f"{days} days ago"
