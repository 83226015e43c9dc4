"""The editor's template include and static files: markup a strict CSP allows, words and
colours equal to the server's, and a plain form POST that saves what was drawn."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string

from consultations.design import schema
from consultations.design.render import (
    CASING_COLOUR,
    DENSITY_OPACITY,
    HAIRLINE_COLOUR,
    TEMPLE_FILL,
    ZONE_COLOURS,
)
from consultations.design.vocabulary import DENSITIES, HAIRLINE_STYLES, SHADES, ZONES
from tests.consultations.test_design_schema import VALID

INCLUDE = "consultations/includes/design_editor.html"
STATIC = Path(settings.BASE_DIR) / "static"


class Markup(HTMLParser):
    """Every element with its attributes, the options of each select, and script bodies."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.options: dict[str, list[tuple[str, str]]] = {}
        self.scripts: list[str] = []
        self._select: str | None = None
        self._option: str | None = None
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if tag == "select":
            self._select = attributes["data-sde-field"]
            self.options[self._select] = []
        elif tag == "option":
            self._option = attributes["value"]
        elif tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._option is not None and self._select:
            self.options[self._select].append((self._option, data.strip()))
            self._option = None
        if self._in_script:
            self.scripts[-1] += data


def render(**context) -> tuple[str, Markup]:
    context = {"photo_url": "/photos/p.jpg", "input_name": "design", **context}
    html = render_to_string(INCLUDE, context)
    markup = Markup()
    markup.feed(html)
    return html, markup


def element(markup: Markup, **wanted) -> dict[str, str | None]:
    for _, attributes in markup.elements:
        if all(key in attributes and attributes[key] == value for key, value in wanted.items()):
            return attributes
    raise AssertionError(f"no element with {wanted}")


def test_the_fields_offer_exactly_the_vocabulary_of_the_schema():
    _, markup = render()

    assert markup.options["style"] == list(HAIRLINE_STYLES.items())
    assert markup.options["zone"] == list(ZONES.items())
    assert markup.options["density"] == list(DENSITIES.items())
    assert markup.options["shade"] == list(SHADES.items())


def test_the_saved_design_is_embedded_as_json_data_not_as_code():
    _, markup = render(design=VALID)

    assert [json.loads(body) for body in markup.scripts if body.strip()] == [VALID]
    data = element(markup, type="application/json")
    assert "src" not in data


def test_a_new_plan_embeds_null_and_the_editor_starts_empty():
    _, markup = render(design=None)

    assert [json.loads(body) for body in markup.scripts if body.strip()] == [None]


def test_the_markup_needs_no_inline_script_style_or_handler():
    html, markup = render(design=VALID)

    for tag, attributes in markup.elements:
        assert "style" not in attributes, tag
        assert not [name for name in attributes if name.startswith("on")], tag
        if tag == "script":
            assert attributes.get("src") or attributes.get("type") == "application/json"
    assert "javascript:" not in html


def test_without_javascript_the_photo_and_a_note_show_and_the_tools_stay_hidden():
    html, markup = render()

    photo = element(markup, **{"data-sde-photo": None})
    assert photo["src"] == "/photos/p.jpg"
    assert photo["alt"]
    for _, attributes in markup.elements:
        if "data-sde-controls" in attributes:
            assert "hidden" in attributes
    assert "Drawing the design needs JavaScript" in html
    assert "hidden" not in element(markup, **{"data-sde-nojs": None})


def test_the_hidden_input_carries_the_given_name_and_may_join_a_form_elsewhere():
    _, markup = render(input_name="plan-design", form_id="plan-form", editor_id="front")

    hidden = element(markup, type="hidden")
    assert hidden == {
        "type": "hidden",
        "name": "plan-design",
        "id": "front-input",
        "value": "",
        "data-sde-output": None,
        "form": "plan-form",
    }
    assert element(markup, id="front")["data-design-editor"] is None
    assert element(markup, id="front-status")["aria-live"] == "polite"


def test_every_button_is_labelled_for_screen_readers():
    _, markup = render()

    buttons = [attributes for tag, attributes in markup.elements if tag == "button"]
    assert len(buttons) == 9
    assert all(
        attributes.get("aria-label") and attributes["type"] == "button" for attributes in buttons
    )


def css_rules() -> str:
    return (STATIC / "css" / "design-editor.css").read_text()


def test_the_editor_draws_in_the_colours_of_the_composite():
    css = css_rules()

    colours = dict(
        re.findall(r'\.sde-zone\[data-zone="(\w+)"\][^{]*\{\s*--sde-colour:\s*(#[0-9a-f]{6});', css)
    )
    opacities = dict(
        re.findall(r'\.sde-zone\[data-density="(\w+)"\]\s*\{\s*fill-opacity:\s*([0-9.]+);', css)
    )
    assert colours == ZONE_COLOURS
    assert {key: float(value) for key, value in opacities.items()} == DENSITY_OPACITY
    assert f"--sde-hairline: {HAIRLINE_COLOUR};" in css
    assert f"--sde-casing: {CASING_COLOUR};" in css
    assert f"--sde-temple-fill: {TEMPLE_FILL};" in css


def test_the_drawing_surface_takes_every_touch_instead_of_scrolling():
    assert re.search(r"\.sde-overlay\s*\{[^}]*touch-action:\s*none;", css_rules())


def test_the_editor_applies_the_limits_of_the_schema():
    model = (STATIC / "js" / "design-editor-model.js").read_text()

    limits = re.search(r"const LIMITS = \{([^}]*)\}", model).group(1)
    assert dict((key, int(value)) for key, value in re.findall(r"(\w+): (\d+)", limits)) == {
        "hairline": schema.MAX_HAIRLINE_POINTS,
        "zonePoints": schema.MAX_ZONE_POINTS,
        "zones": schema.MAX_ZONES,
        "temples": schema.MAX_TEMPLES,
        "total": schema.MAX_TOTAL_POINTS,
        "notes": schema.MAX_NOTES_LENGTH,
    }
    assert f"const MIN_ZONE_AREA = {schema.MIN_ZONE_AREA:.0e}".replace("e-06", "e-6") in model
    assert "const SAMPLES_PER_SEGMENT = 16;" in model


@pytest.mark.urls("tests.consultations.editor_urls")
def test_a_plain_form_post_of_the_hidden_input_is_checked_on_the_server(
    client, db, settings, tmp_path
):
    settings.DESIGN_EDITOR_TEST_PHOTO = tmp_path / "unused.png"

    saved = client.post("/design-editor/", {"design": json.dumps(VALID)})
    refused = client.post("/design-editor/", {"design": '{"format": 1, "zones": [}'})

    assert saved.status_code == 200
    assert "Saved (hairline points: 5, temple points: 2, zones: 2)." in saved.text
    assert "Content-Security-Policy" in saved.headers
    assert "The design is not valid JSON" in refused.text
