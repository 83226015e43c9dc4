"""The paperwork a demo client completes on the tablet, through the clients' services:
signed consents and a medical intake, reviewed (and its blocking flag cleared) by a
practitioner where the story says so."""

from clients.consent.selectors import latest_version
from clients.consent.services import consent_sign
from clients.intake.questionnaire import Kind
from clients.intake.services import flag_clear, intake_mark_reviewed, intake_submit
from clients.intake.versions import questionnaire_current
from clients.models import Client
from dashboard.demo_clinic.media import signature

# Where a demo signature comes from, in the range kept for documentation (RFC 5737).
TABLET_ADDRESS = "192.0.2.20"


def consents_sign(*, client: Client, kinds: tuple[str, ...], witness) -> None:
    for n, kind in enumerate(kinds):
        consent_sign(
            client=client,
            version=latest_version(kind=kind),
            typed_name=client.full_name,
            signature_data_url=signature(client.pk + n),
            witness=witness,
            ip_address=TABLET_ADDRESS,
            user_agent="Demo clinic tablet",
        )


def _answers(yes: dict[str, str]) -> dict:
    """ "No" to every question of the current questionnaire except ``yes`` ({code: detail})."""
    answers = {}
    for question in questionnaire_current().questions:
        if question.kind == Kind.TEXT:
            answers[question.code] = {"text": ""}
        else:
            said_yes = question.code in yes
            answers[question.code] = {
                "answer": "yes" if said_yes else "no",
                "detail": yes.get(question.code, ""),
            }
    return answers


def intake_fill(
    *,
    client: Client,
    handed_over_by,
    yes: dict[str, str] | None = None,
    reviewer=None,
    clearances: dict[str, str] | None = None,
):
    """The client fills the intake on the tablet the front desk hands over; a ``reviewer``
    reads it and clears the flags named in ``clearances`` ({code: note}); the others stay
    open."""
    intake = intake_submit(
        client=client, by=handed_over_by, answers=_answers(yes or {}), filled_by_client=True
    )
    for flag in intake.flags.all():
        if flag.code in (clearances or {}):
            flag_clear(flag=flag, by=reviewer, note=clearances[flag.code])
    if reviewer is not None:
        intake_mark_reviewed(intake=intake, by=reviewer)
    return intake
