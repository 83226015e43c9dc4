"""The form field an integrating view uses for the editor's hidden input."""

import json

from django import forms

from consultations.design import Design, DesignField, validate_design
from tests.consultations.test_design_schema import VALID


class PlanForm(forms.Form):
    design = DesignField()


class OptionalPlanForm(forms.Form):
    design = DesignField(required=False)


def test_posted_json_cleans_to_a_checked_design():
    form = PlanForm(data={"design": json.dumps(VALID)})

    assert form.is_valid()
    assert form.cleaned_data["design"] == validate_design(VALID)


def test_a_bad_design_shows_the_precise_message_next_to_the_field():
    bad = dict(VALID, temples=[[0.2, 0.4], [1.3, 0.4]])
    form = PlanForm(data={"design": json.dumps(bad)})

    assert not form.is_valid()
    assert form.errors["design"] == ["Temples: point 2 is outside the photo (x=1.30)."]


def test_an_empty_value_means_the_editor_never_ran():
    required = PlanForm(data={"design": ""})
    optional = OptionalPlanForm(data={"design": "  "})

    assert not required.is_valid()
    assert required.errors["design"] == [
        "No design was sent: reload the page, which needs JavaScript to draw."
    ]
    assert optional.is_valid()
    assert optional.cleaned_data["design"] is None


def test_the_saved_design_renders_as_json_in_the_hidden_input():
    design = validate_design(VALID)

    for initial in (design, VALID):
        html = str(PlanForm(initial={"design": initial})["design"])
        assert 'type="hidden"' in html
        assert "&quot;format&quot;:1" in html


def test_a_form_knows_whether_the_design_changed():
    field = DesignField()

    assert not field.has_changed(VALID, json.dumps(VALID))
    assert field.has_changed(VALID, json.dumps(dict(VALID, notes="changed")))
    assert field.has_changed(VALID, "{not json")
    assert field.has_changed(None, Design().to_json())
