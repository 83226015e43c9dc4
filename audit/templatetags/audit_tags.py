import json

from django import template
from django.apps import apps

register = template.Library()


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key) if mapping else None


@register.filter
def pretty_json(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


@register.filter
def record_kind(object_type: str) -> str:
    """ "scheduling.Appointment" as people say it ("appointment", the model's verbose name);
    a page's own words ("medical intake") and a label whose model is gone stay as they are."""
    if "." not in object_type:
        return object_type
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type
