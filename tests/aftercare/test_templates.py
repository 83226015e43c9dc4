"""Template validation, the editor, the preview, the aftercare plan and the timings page."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from aftercare.context import sample_context
from aftercare.kinds import SPECS, Kind
from aftercare.models import AftercareStep, MessageSettings, MessageTemplate
from aftercare.rendering import TemplateProblem, render_email, template_compile
from aftercare.services.content import step_save, template_save


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("Hi {{ client.nickname }}", "Unknown variable {{ client.nickname }}"),
        ("Hi {{ client }}", "Unknown variable {{ client }}"),
        ("{{ client.first_name.upper }}", "Unknown variable {{ client.first_name.upper }}"),
        ("{% if client.secret %}x{% endif %}", "Unknown variable {{ client.secret }}"),
        ("{{ clinic.name|default:client.pin }}", "Unknown variable {{ client.pin }}"),
        ("{{ appointment.date }}", "Unknown variable {{ appointment.date }}"),  # not a recall's
        ("{% if %}", "Template syntax error"),
        ("{{ client.first_name", "Template syntax error"),
        ("{% debug %}", "The {% debug %} tag is not allowed"),
        ('{% include "base.html" %}', "The {% include %} tag is not allowed"),
        ("{% load static %}", "Template syntax error"),
        ("{{ client.first_name|safe }}", "The filter |safe is not allowed"),
    ],
)
def test_a_template_is_refused_with_the_reason(source, problem):
    with pytest.raises(TemplateProblem, match=problem.replace("{", r"\{").replace("|", r"\|")):
        template_compile(source, kind=Kind.TOUCH_UP_RECALL)


def test_every_default_template_compiles_and_renders_with_the_sample(db):
    for kind in Kind:
        template = MessageTemplate.objects.get(kind=kind)
        rendered = render_email(
            kind=kind,
            subject=template.subject,
            body_text=template.body_text,
            body_html=template.body_html,
            context=sample_context(kind),
        )
        assert "Alex" in rendered.text
        assert rendered.subject
        assert "<html" in rendered.html


def test_every_kind_has_a_spec_and_a_default_template(db):
    assert set(SPECS) == set(Kind.values)
    assert set(MessageTemplate.objects.values_list("kind", flat=True)) == set(Kind.values)


def test_client_text_is_escaped_in_html_and_never_marked_safe():
    context = sample_context(Kind.TOUCH_UP_RECALL)
    context["client"]["first_name"] = "<script>x</script>"
    rendered = render_email(
        kind=Kind.TOUCH_UP_RECALL,
        subject="Hello",
        body_text="Hi {{ client.first_name }}",
        body_html="<p>Hi {{ client.first_name }}</p>",
        context=context,
    )
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html
    assert "Hi <script>x</script>" in rendered.text  # plain text is not HTML


def test_a_subject_is_one_line():
    context = sample_context(Kind.TOUCH_UP_RECALL)
    rendered = render_email(
        kind=Kind.TOUCH_UP_RECALL,
        subject="Hello\n{{ client.first_name }}\r\nBcc: x@example.test",
        body_text="Hi",
        body_html="",
        context=context,
    )
    assert rendered.subject == "Hello Alex Bcc: x@example.test"


def test_the_service_refuses_a_broken_template_and_keeps_the_old_one(db, manager):
    before = MessageTemplate.objects.get(kind=Kind.APPOINTMENT_REMINDER).subject
    with pytest.raises(ValidationError) as error:
        template_save(
            kind=Kind.APPOINTMENT_REMINDER,
            subject="{{ appointment.when }}",
            body_text="{% if %}",
            body_html="",
            by=manager,
        )
    assert set(error.value.error_dict) == {"subject", "body_text"}
    assert MessageTemplate.objects.get(kind=Kind.APPOINTMENT_REMINDER).subject == before


def test_an_aftercare_step_may_not_use_the_step_variables(db):
    with pytest.raises(ValidationError, match="step.body"):
        step_save(
            step=None,
            data={
                "day_offset": 2,
                "send_time": "09:00",
                "subject": "Day 2",
                "body": "{{ step.body }}",
            },
        )


def test_the_manager_edits_a_template_and_sees_the_error_of_a_broken_one(client, manager):
    client.force_login(manager)
    url = reverse("aftercare:template_edit", args=["appointment_reminder"])
    page = client.get(url)
    assert page.status_code == 200
    assert b"appointment.practitioner" in page.content  # the variables list
    refused = client.post(
        url, {"subject": "See you {{ appointment.day }}", "body_text": "Hi", "action": "save"}
    )
    assert refused.status_code == 200
    assert "Unknown variable {{ appointment.day }}" in refused.content.decode()
    saved = client.post(
        url,
        {
            "subject": "See you {{ appointment.date }}",
            "body_text": "Hi {{ client.first_name }}",
            "action": "save",
        },
    )
    assert saved.status_code == 302
    assert MessageTemplate.objects.get(kind="appointment_reminder").updated_by == manager


def test_the_preview_renders_the_draft_with_a_sample_client(client, manager):
    client.force_login(manager)
    url = reverse("aftercare:template_edit", args=["touch_up_recall"])
    response = client.post(
        url,
        {
            "subject": "Touch-up time, {{ client.first_name }}",
            "body_text": "Hello",
            "action": "preview",
        },
    )
    assert response.status_code == 200
    assert response.context["preview"].subject == "Touch-up time, Alex"
    assert (
        MessageTemplate.objects.get(kind="touch_up_recall").subject
        != "Touch-up time, {{ client.first_name }}"
    )


def test_the_html_preview_is_served_alone_in_a_sandboxed_frame(client, manager):
    client.force_login(manager)
    page = client.get(reverse("aftercare:template_preview", args=["aftercare"])).content.decode()
    frame_url = reverse("aftercare:template_preview_frame", args=["aftercare"])
    assert f'sandbox src="{frame_url}"' in page
    frame = client.get(frame_url)
    assert frame.status_code == 200
    assert "Day 4: you can wet your scalp" in frame.content.decode()
    assert "<style>" in frame.content.decode()
    policy = frame["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "style-src 'unsafe-inline'" in policy
    assert "sandbox" in policy
    assert frame["X-Frame-Options"] == "SAMEORIGIN"


def test_the_draft_preview_frame_shows_the_unsaved_draft(client, manager):
    client.force_login(manager)
    edit = reverse("aftercare:template_edit", args=["touch_up_recall"])
    page = client.post(
        edit,
        {
            "subject": "Draft subject",
            "body_text": "Draft body for {{ client.first_name }}",
            "action": "preview",
        },
    )
    frame_url = reverse("aftercare:template_preview_frame", args=["touch_up_recall"]) + "?draft=1"
    assert frame_url in page.content.decode()
    assert "Draft body for Alex" in client.get(frame_url).content.decode()
    saved = client.get(reverse("aftercare:template_preview_frame", args=["touch_up_recall"]))
    assert "Draft body" not in saved.content.decode()


@pytest.mark.parametrize("kind", list(Kind))
def test_the_saved_preview_of_every_kind_opens(client, manager, kind):
    client.force_login(manager)
    response = client.get(reverse("aftercare:template_preview", args=[kind.value]))
    assert response.status_code == 200
    assert "preview" in response.context


def test_an_unknown_kind_is_not_found(client, manager):
    client.force_login(manager)
    assert client.get(reverse("aftercare:template_edit", args=["no_such_kind"])).status_code == 404


def test_the_manager_edits_the_aftercare_plan(client, manager):
    client.force_login(manager)
    assert client.get(reverse("aftercare:plan")).status_code == 200
    response = client.post(
        reverse("aftercare:step_create"),
        {
            "day_offset": "2",
            "send_time": "09:30",
            "subject": "Day 2",
            "body": "Rest, {{ client.first_name }}.",
        },
    )
    assert response.status_code == 302
    step = AftercareStep.objects.get(subject="Day 2")
    refused = client.post(
        reverse("aftercare:step_edit", args=[step.public_id]),
        {"day_offset": "9999", "send_time": "25:00", "subject": "", "body": "{{ nope }}"},
    )
    assert refused.status_code == 200
    assert refused.context["form"].errors
    assert client.post(reverse("aftercare:step_delete", args=[step.public_id])).status_code == 302
    assert not AftercareStep.objects.filter(pk=step.pk).exists()


def test_the_manager_sets_the_timings_and_bad_input_is_explained(client, manager):
    client.force_login(manager)
    url = reverse("aftercare:settings")
    form = {
        "reminder_hours": "24,72",
        "nudge_days": "14",
        "healing_check_days": "21",
        "recall_first_months": "18",
        "recall_repeat_months": "24",
        "recall_max": "2",
        "no_show_delay_hours": "1",
        "quiet_start": "22:00",
        "quiet_end": "07:30",
        "day_send_time": "10:00",
    }
    assert client.post(url, form).status_code == 302
    conf = MessageSettings.current()
    assert (conf.reminder_hours, conf.reminder_offsets, conf.nudge_days) == ("72, 24", [72, 24], 14)
    refused = client.post(url, {**form, "reminder_hours": "soon", "day_send_time": "23:00"})
    assert refused.status_code == 200
    errors = refused.context["form"].errors
    assert "Write whole hours" in errors["reminder_hours"][0]
    assert "quiet hours" in errors["day_send_time"][0]


@pytest.mark.parametrize(
    ("hours", "summary"),
    [
        ("24", "Reminder 24 hours before"),
        ("1", "Reminder 1 hour before"),
        ("48, 24", "Reminders 48 and 24 hours before"),
        ("24, 72, 2", "Reminders 72, 24 and 2 hours before"),
    ],
)
def test_the_template_list_says_when_reminders_go_in_plain_english(client, manager, hours, summary):
    MessageSettings.objects.update_or_create(pk=1, defaults={"reminder_hours": hours})
    client.force_login(manager)
    response = client.get(reverse("aftercare:templates"))
    assert f'<p class="text-body-secondary" data-testid="timings-summary">{summary} ·' in (
        response.content.decode()
    )


def test_the_template_list_says_one_day_and_one_month_in_the_singular(client, manager):
    MessageSettings.objects.update_or_create(
        pk=1, defaults={"nudge_days": 1, "recall_first_months": 1, "recall_repeat_months": 1}
    )
    client.force_login(manager)
    content = client.get(reverse("aftercare:templates")).content.decode()
    assert "nudge after 1 day · touch-up recall 1 month after a course, then every 1 month (" in (
        content
    )
