"""The variables a message template may use: a fixed, documented set of plain strings.

Templates never see a model instance, so a manager's template cannot walk the ORM. The same
table drives validation (an unknown name is refused on save), the editor's help and the
sample context of the preview.
"""

from aftercare.kinds import spec_for

COMMON_GROUPS = ("client", "clinic", "links")

VARIABLES: dict[str, dict[str, str]] = {
    "client": {
        "first_name": "The client's first name (their preferred name when they gave one)",
        "last_name": "The client's last name",
    },
    "clinic": {
        "name": "The clinic's name",
        "website": "The clinic's website address",
    },
    "links": {
        "preferences": "Page where the client chooses which emails they receive",
        "unsubscribe": "One-click unsubscribe from this kind of email",
    },
    "appointment": {
        "type": "Kind of appointment, e.g. Pigmentation session",
        "date": "Day and date, e.g. Tuesday 4 March 2025 (location's time zone)",
        "time": "Start time, e.g. 10:00 (location's time zone)",
        "end_time": "End time, e.g. 14:00",
        "practitioner": "The practitioner's name",
        "location": "The location's name",
        "address": "The location's address",
        "phone": "The location's phone number",
        "session_label": "e.g. 'session 2 of 3', empty outside a course",
    },
    "change": {
        "old_date": "The day the appointment was on before it moved",
        "old_time": "The time it was at before it moved",
    },
    "course": {
        "planned_sessions": "Sessions planned in the course",
        "sessions_done": "Sessions completed so far",
        "sessions_left": "Sessions still to come",
        "last_session_date": "Date of the last completed session",
    },
    "consultation": {
        "date": "Date of the consultation",
        "practitioner": "The practitioner who saw the client",
        "follow_up_date": "The follow-up date agreed",
    },
    "step": {
        "day": "Days since the session (0 = the session day)",
        "subject": "The step's subject, from the aftercare plan",
        "body": "The step's instructions, from the aftercare plan",
    },
    "healing": {
        "link": "Page where the client sends a photo of how the scalp has healed",
        "days_since": "Days since the session",
    },
    "recall": {
        "number": "1 for the first recall, 2 for the second…",
        "months_since": "Months since the client's latest pigmentation session or touch-up",
    },
}

# Filters that only format text. No `safe`/`safeseq` (a client's name must never become
# markup), nothing that reaches beyond the value it is given.
ALLOWED_FILTERS = frozenset(
    {
        "capfirst",
        "default",
        "default_if_none",
        "first",
        "last",
        "length",
        "linebreaks",
        "linebreaksbr",
        "lower",
        "pluralize",
        "title",
        "truncatechars",
        "truncatewords",
        "upper",
        "wordwrap",
        "yesno",
    }
)


def groups_for(kind: str, *, for_step: bool = False) -> tuple[str, ...]:
    """Variable groups a template of ``kind`` may use. An aftercare step's own text is part
    of the aftercare message, so it may use everything but the step group itself."""
    groups = COMMON_GROUPS + spec_for(kind).groups
    if for_step:
        groups = tuple(g for g in groups if g != "step")
    return groups


def allowed_names(kind: str, *, for_step: bool = False) -> dict[str, dict[str, str]]:
    return {group: VARIABLES[group] for group in groups_for(kind, for_step=for_step)}
