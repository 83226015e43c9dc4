"""What managers edit: message templates, the aftercare plan and the message timings.
A template is refused, with the reason, unless it compiles and uses only known variables."""

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from aftercare.kinds import Kind
from aftercare.models import AftercarePlan, AftercareStep, MessageSettings, MessageTemplate
from aftercare.rendering import template_check


def sources_check(checks: list[tuple[str, str]], *, kind: str, for_step: bool = False) -> None:
    errors: dict[str, list] = {}
    for field, source in checks:
        try:
            template_check(source, kind=kind, field=field, for_step=for_step)
        except ValidationError as error:
            errors.update(error.error_dict)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def template_save(
    *, kind: str, subject: str, body_text: str, body_html: str, by: User | None
) -> MessageTemplate:
    if kind not in Kind.values:
        raise ValidationError("Unknown kind of message.")
    subject, body_html = subject.strip(), body_html.strip()
    if not subject or not body_text.strip():
        raise ValidationError("A template needs a subject and a plain-text body.")
    sources_check(
        [("subject", subject), ("body_text", body_text), ("body_html", body_html)], kind=kind
    )
    template, _ = MessageTemplate.objects.update_or_create(
        kind=kind,
        defaults={
            "subject": subject,
            "body_text": body_text,
            "body_html": body_html,
            "updated_by": by,
        },
    )
    return template


def default_plan() -> AftercarePlan:
    plan = AftercarePlan.objects.filter(is_default=True).first()
    if plan is None:
        plan = AftercarePlan.objects.create(name="Standard SMP aftercare", is_default=True)
    return plan


@transaction.atomic
def step_save(*, step: AftercareStep | None, data: dict) -> AftercareStep:
    sources_check(
        [("subject", data["subject"]), ("body", data["body"])], kind=Kind.AFTERCARE, for_step=True
    )
    if step is None:
        step = AftercareStep(plan=default_plan())
    for field in ("day_offset", "send_time", "subject", "body"):
        setattr(step, field, data[field])
    step.full_clean(exclude=["plan"])
    step.save()
    return step


@transaction.atomic
def step_delete(*, step: AftercareStep) -> None:
    """Messages already made for the step keep their row; unsent ones fail with a clear
    error at send time instead of going out without instructions, so cancel them here."""
    from aftercare.models import OutboundMessage
    from aftercare.services.outbox import messages_cancel

    messages_cancel(
        OutboundMessage.objects.filter(aftercare_step=step),
        reason=OutboundMessage.Reason.NOT_NEEDED,
    )
    step.delete()


@transaction.atomic
def message_settings_save(*, data: dict) -> MessageSettings:
    conf = MessageSettings.current()
    for field, value in data.items():
        setattr(conf, field, value)
    conf.full_clean()
    conf.save()
    return conf
