"""The custom hairline design: its JSON format, the server's check, and the composite image.

The browser editor lives in ``static/js/design-editor.js`` and is embedded with the template
include ``consultations/includes/design_editor.html``.
"""

from consultations.design.forms import DesignField
from consultations.design.render import MAX_OUTPUT_SIDE, PhotoError, render_composite
from consultations.design.schema import (
    DESIGN_FORMAT,
    MAX_JSON_BYTES,
    Design,
    Hairline,
    Zone,
    design_as_sent,
    empty_design,
    parse_design_json,
    validate_design,
)

__all__ = [
    "DESIGN_FORMAT",
    "MAX_JSON_BYTES",
    "MAX_OUTPUT_SIDE",
    "Design",
    "DesignField",
    "Hairline",
    "PhotoError",
    "Zone",
    "design_as_sent",
    "empty_design",
    "parse_design_json",
    "render_composite",
    "validate_design",
]
