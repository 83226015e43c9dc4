"""A form field for the editor's hidden input: JSON text in, a checked ``Design`` out."""

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from consultations.design.schema import Design, parse_design_json, validate_design


class DesignField(forms.Field):
    """The design JSON posted by the editor include, checked by ``parse_design_json``.

    The include renders the hidden input itself, so a form declares this field with the
    include's ``input_name`` and need not render it. An empty value means the editor never
    ran (no JavaScript): with ``required=False`` it cleans to ``None``, meaning "keep the
    saved design".
    """

    widget = forms.HiddenInput
    default_error_messages = {
        "required": "No design was sent: reload the page, which needs JavaScript to draw.",
    }

    def to_python(self, value: Any) -> Design | None:
        if isinstance(value, Design):
            return value
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return parse_design_json(value)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Design):
            return value.to_json()
        if isinstance(value, dict):
            return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        return value

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            before = validate_design(initial) if initial is not None else None
            after = self.to_python(data)
        except ValidationError:
            return True
        return before != after
