"""Reads of the medical intake.

Two audiences: every role (``client_flag_summary``, ``client_session_block_reason``: counts
and a neutral sentence, never a condition) and practitioners and managers (the section and
detail contexts, with labels, answers and clearances). Each function loads what it shows in
a fixed number of queries, so templates never query.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from clients.intake.questionnaire import AnswerRow
from clients.intake.versions import questionnaire_for
from clients.models import Client, FlagClearance, IntakeFlag, MedicalIntake

HISTORY_LIMIT = 25


@dataclass(frozen=True)
class FlagSummary:
    """What every role may know about a client's medical flags: counts, never conditions."""

    has_intake: bool = False
    # Counted from today, whatever day the flags are evaluated on.
    intake_age_days: int | None = None
    intake_reviewed: bool = False
    blocking_uncleared: int = 0
    warnings: int = 0
    cleared: int = 0
    blocks_sessions: bool = False
    intake_stale: bool = False

    @property
    def needs_intake(self) -> bool:
        return not self.has_intake or self.intake_stale


@dataclass(frozen=True)
class FlagRow:
    """One flag of an intake as a practitioner sees it, with what can be done about it."""

    flag: IntakeFlag
    clearance: FlagClearance | None
    applies: bool
    # The cleared flag of the previous intake this one could inherit its clearance from.
    carry_from: IntakeFlag | None = None
    carry_refusal: str | None = None

    @property
    def state(self) -> str:
        if self.clearance is not None:
            return "cleared"
        if not self.applies:
            return "lapsed"
        return "block" if self.flag.blocks_sessions else "warn"


def _today() -> date:
    return timezone.localdate()


def flag_clearance(flag: IntakeFlag) -> FlagClearance | None:
    """The flag's clearance from the select_related cache (None when there is none)."""
    return getattr(flag, "clearance", None)


def _latest_first(intakes: QuerySet[MedicalIntake]) -> QuerySet[MedicalIntake]:
    return intakes.order_by("-submitted_at", "-pk")


def _flags_with_clearances(**filters) -> QuerySet[IntakeFlag]:
    return IntakeFlag.objects.filter(**filters).select_related(
        "clearance__cleared_by", "clearance__carried_from__flag__intake"
    )


def client_latest_intake(*, client: Client) -> MedicalIntake | None:
    """The submission that counts: the most recent one."""
    return (
        _latest_first(MedicalIntake.objects.filter(client=client))
        .select_related("submitted_by", "reviewed_by")
        .first()
    )


def _latest_with_flags(client: Client) -> tuple[MedicalIntake | None, list[IntakeFlag]]:
    intake = client_latest_intake(client=client)
    if intake is None:
        return None, []
    return intake, list(_flags_with_clearances(intake=intake))


def _summarise(intake: MedicalIntake | None, flags: list[IntakeFlag], on: date) -> FlagSummary:
    if intake is None:
        return FlagSummary()
    applicable = [flag for flag in flags if flag.applies_on(on)]
    cleared = [flag for flag in applicable if flag_clearance(flag) is not None]
    open_flags = [flag for flag in applicable if flag_clearance(flag) is None]
    blocking = sum(1 for flag in open_flags if flag.blocks_sessions)
    age = intake.age_days(_today())
    return FlagSummary(
        has_intake=True,
        intake_age_days=age,
        intake_reviewed=intake.is_reviewed,
        blocking_uncleared=blocking,
        warnings=len(open_flags) - blocking,
        cleared=len(cleared),
        blocks_sessions=blocking > 0,
        # Health changes: past this age the session gate refuses the intake, so the client
        # page asks for a new one (one setting for both).
        intake_stale=age > settings.SESSION_INTAKE_MAX_AGE_DAYS,
    )


def client_flag_summary(*, client: Client, on: date | None = None) -> FlagSummary:
    """The flags of the client's latest intake that apply on ``on`` (default: today in the
    clinic's time zone), counted. Safe for every role. Two queries."""
    intake, flags = _latest_with_flags(client)
    return _summarise(intake, flags, on or _today())


def client_session_block_reason(*, client: Client, on: date) -> str | None:
    """None when a pigmentation session may be booked on ``on``; else why not, in words fit
    for any role. A client without an intake is not blocked here: the pre-session safety
    gate asks for the intake."""
    if not client_flag_summary(client=client, on=on).blocks_sessions:
        return None
    return (
        f"{client.full_name} has a medical flag that blocks pigmentation sessions until a "
        "practitioner records a clearance."
    )


def client_session_blocks(*, client_ids: Iterable[int], on: date) -> dict[int, date | None]:
    """Of these clients, those that ``client_session_block_reason`` would block on ``on``,
    each with the last day a block still applies (None: until a practitioner clears it), in
    one query: a page listing sessions over several days (the week) judges each one's own
    day with ``session_blocked_on``."""
    latest = _latest_first(MedicalIntake.objects.filter(client_id=OuterRef("intake__client_id")))
    blocking = IntakeFlag.objects.filter(
        Q(active_until__isnull=True) | Q(active_until__gte=on),
        intake__client_id__in=list(client_ids),
        blocks_sessions=True,
        clearance__isnull=True,
        intake_id=Subquery(latest.values("pk")[:1]),
    )
    until: dict[int, date | None] = {}
    for client_id, active_until in blocking.values_list("intake__client_id", "active_until"):
        if client_id not in until:
            until[client_id] = active_until
        elif until[client_id] is not None:
            until[client_id] = None if active_until is None else max(until[client_id], active_until)
    return until


def session_blocked_on(blocks: dict[int, date | None], client_id: int, day: date) -> bool:
    """Whether the blocks read by ``client_session_blocks`` still apply to ``client_id``
    on ``day`` (a day on or after the one they were read for)."""
    if client_id not in blocks:
        return False
    last_day = blocks[client_id]
    return last_day is None or last_day >= day


def client_ids_blocked_for_sessions(*, client_ids: Iterable[int], on: date) -> set[int]:
    """Of these clients, the ids of those that ``client_session_block_reason`` would block
    on ``on``, in one query: for pages that list many appointments."""
    return set(client_session_blocks(client_ids=client_ids, on=on))


def client_flag_banner(*, client: Client, user: User) -> dict:
    """The client page banner: the summary for everyone, flag labels for clinical roles."""
    intake, flags = _latest_with_flags(client)
    today = _today()
    labels = []
    if user.sees_clinical:
        labels = [_row(flag, today) for flag in flags if flag.applies_on(today)]
    return {"flag_summary": _summarise(intake, flags, today), "banner_flags": labels}


def _previous_intake(intake: MedicalIntake) -> Subquery:
    earlier = MedicalIntake.objects.filter(client_id=intake.client_id).filter(
        Q(submitted_at__lt=intake.submitted_at)
        | Q(submitted_at=intake.submitted_at, pk__lt=intake.pk)
    )
    return Subquery(_latest_first(earlier).values("pk")[:1])


def intake_previous_cleared_flags(*, intake: MedicalIntake) -> dict[str, IntakeFlag]:
    """The cleared flags of the intake submitted just before this one, by code."""
    flags = _flags_with_clearances(intake_id=_previous_intake(intake), clearance__isnull=False)
    return {flag.code: flag for flag in flags}


def carry_forward_refusal(flag: IntakeFlag, previous: IntakeFlag | None) -> str | None:
    """Why the previous clearance cannot stand for this flag; None when it can."""
    if previous is None or flag_clearance(previous) is None:
        return "The previous intake has no clearance of this flag to carry forward."
    if flag.requires_document and not flag_clearance(previous).has_document:
        return (
            "The earlier clearance has no GP letter, which this flag needs: record a new "
            "clearance with the letter."
        )
    if flag.active_until != previous.active_until:
        return (
            "The dates given have changed since the earlier clearance (a new treatment): "
            "record a new clearance."
        )
    return None


def _row(flag: IntakeFlag, today: date, previous: dict[str, IntakeFlag] | None = None) -> FlagRow:
    clearance = flag_clearance(flag)
    carry_from = refusal = None
    if clearance is None and previous is not None:
        carry_from = previous.get(flag.code)
        if carry_from is not None:
            refusal = carry_forward_refusal(flag, carry_from)
    return FlagRow(
        flag=flag,
        clearance=clearance,
        applies=flag.applies_on(today),
        carry_from=carry_from,
        carry_refusal=refusal,
    )


def _flag_rows(intake: MedicalIntake, *, is_latest: bool, today: date) -> list[FlagRow]:
    flags = list(_flags_with_clearances(intake=intake))
    previous = None
    if is_latest and any(flag_clearance(flag) is None for flag in flags):
        previous = intake_previous_cleared_flags(intake=intake)
    return [_row(flag, today, previous) for flag in flags]


def medical_section_context(*, client: Client, user: User) -> dict:
    """The Medical tab: the latest intake with its flags, and the history. Three or four
    queries whatever the number of intakes."""
    history = list(
        _latest_first(MedicalIntake.objects.filter(client=client))
        .select_related("submitted_by", "reviewed_by")
        .annotate(
            flag_count=Count("flags"),
            blocking_count=Count("flags", filter=Q(flags__blocks_sessions=True)),
        )[: HISTORY_LIMIT + 1]
    )
    today = _today()
    latest = history[0] if history else None
    rows = _flag_rows(latest, is_latest=True, today=today) if latest else []
    summary = FlagSummary()
    if latest is not None:
        summary = _summarise(latest, [row.flag for row in rows], today)
    return {
        "intake": latest,
        "flag_rows": rows,
        "summary": summary,
        "history": history[:HISTORY_LIMIT],
        "history_truncated": len(history) > HISTORY_LIMIT,
        "today": today,
    }


def intake_get_for_client(*, client: Client, public_id) -> MedicalIntake:
    try:
        return MedicalIntake.objects.select_related("submitted_by", "reviewed_by").get(
            client=client, public_id=public_id
        )
    except (MedicalIntake.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such intake") from None


def flag_get_for_client(*, client: Client, public_id) -> IntakeFlag:
    try:
        return IntakeFlag.objects.select_related(
            "intake__client", "intake__submitted_by", "clearance__cleared_by"
        ).get(intake__client=client, public_id=public_id)
    except (IntakeFlag.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such flag") from None


def clearance_get_for_client(*, client: Client, public_id) -> FlagClearance:
    try:
        return FlagClearance.objects.select_related("flag__intake").get(
            flag__intake__client=client, public_id=public_id
        )
    except (FlagClearance.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such clearance") from None


def intake_is_latest(intake: MedicalIntake) -> bool:
    latest = _latest_first(MedicalIntake.objects.filter(client_id=intake.client_id)).values_list(
        "pk", flat=True
    )
    return latest.first() == intake.pk


def _fallback_rows(answers: dict) -> list[AnswerRow]:
    """Answers of a version this code no longer knows, shown by code rather than hidden."""
    return [
        AnswerRow(
            number=number,
            code=code,
            text=f"Question “{code}” (wording unavailable)",
            kind="text" if "text" in entry else "yes_no",
            answer=entry.get("answer"),
            detail=entry.get("detail", ""),
            day=date.fromisoformat(entry["date"]) if entry.get("date") else None,
            text_value=entry.get("text", ""),
        )
        for number, (code, entry) in enumerate(sorted(answers.items()), start=1)
    ]


def intake_detail_context(*, intake: MedicalIntake) -> dict:
    """One submission with the question text of its own version, its flags and clearances."""
    questionnaire = questionnaire_for(intake.questionnaire_version)
    if questionnaire is None:
        rows = _fallback_rows(intake.answers)
    else:
        rows = questionnaire.answer_rows(intake.answers)
    today = _today()
    is_latest = intake_is_latest(intake)
    return {
        "intake": intake,
        "questionnaire": questionnaire,
        "answer_rows": rows,
        "flag_rows": _flag_rows(intake, is_latest=is_latest, today=today),
        "is_latest": is_latest,
        "today": today,
    }
