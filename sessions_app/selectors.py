"""Shaped reads of the session log, scoped through the clients a user may see."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404

from accounts.models import User
from clients.selectors import clients_visible_to
from sessions_app.models import HealingCheck, LayeringPass, PigmentationSession, SessionAmendment

SESSION_RELATED = (
    "client",
    "course",
    "practitioner",
    "appointment__location",
    "appointment__appointment_type",
    "signed_off_by",
    "gate_override_by",
)


def sessions_visible_to(user: User) -> QuerySet[PigmentationSession]:
    return PigmentationSession.objects.filter(
        Exists(clients_visible_to(user).filter(pk=OuterRef("client_id")))
    )


def session_get_for_user(*, user: User, public_id) -> PigmentationSession:
    try:
        return sessions_visible_to(user).select_related(*SESSION_RELATED).get(public_id=public_id)
    except (PigmentationSession.DoesNotExist, ValueError):
        raise Http404("No such session") from None


def session_passes(session: PigmentationSession) -> list[LayeringPass]:
    return list(
        session.passes.select_related("needle", "pigment_lot__product")
        .prefetch_related(Prefetch("amendments", queryset=SessionAmendment.objects.order_by("at")))
        .order_by("number")
    )


def session_amendments(session: PigmentationSession) -> list[SessionAmendment]:
    return list(
        session.amendments.select_related("by", "layering_pass", "corrected_lot__product").order_by(
            "at", "pk"
        )
    )


def session_healing_checks(session: PigmentationSession) -> list[HealingCheck]:
    return list(session.healing_checks.select_related("recorded_by"))


def prefill_from(session: PigmentationSession) -> LayeringPass | None:
    """The pass a new pass starts from: this session's last, else the previous session's last."""
    last = session.passes.select_related("needle", "pigment_lot").order_by("-number").first()
    if last is not None:
        return last
    return (
        LayeringPass.objects.filter(
            session__client_id=session.client_id, session__status="signed_off"
        )
        .exclude(session=session)
        .select_related("needle", "pigment_lot")
        .order_by("-session__appointment__start", "-number")
        .first()
    )


@dataclass
class LadderRow:
    session: PigmentationSession
    shades: list[str]
    dilutions: list[str]
    needles: list[str]
    lots: list[str]
    healing: HealingCheck | None


def client_sessions(*, client) -> list[PigmentationSession]:
    return list(
        PigmentationSession.objects.filter(client=client)
        .select_related(
            "appointment__location", "appointment__appointment_type", "course", "practitioner"
        )
        .order_by("-appointment__start")
    )


def shade_ladder(*, client) -> list[LadderRow]:
    """Per session: shade, dilution, needle and lot used, next to the healed result."""
    sessions = list(
        PigmentationSession.objects.filter(
            client=client, status=PigmentationSession.Status.SIGNED_OFF
        )
        .select_related("appointment__location", "course")
        .prefetch_related(
            Prefetch(
                "passes",
                queryset=LayeringPass.objects.select_related(
                    "needle", "pigment_lot__product"
                ).order_by("number"),
            ),
            Prefetch(
                "healing_checks", queryset=HealingCheck.objects.order_by("-checked_on", "-pk")
            ),
        )
        .order_by("appointment__start")
    )
    rows = []
    for session in sessions:
        passes = list(session.passes.all())
        checks = list(session.healing_checks.all())
        rows.append(
            LadderRow(
                session=session,
                shades=list(dict.fromkeys(p.shade for p in passes)),
                dilutions=list(dict.fromkeys(p.dilution for p in passes)),
                needles=list(dict.fromkeys(p.needle.label for p in passes)),
                lots=list(
                    dict.fromkeys(
                        f"{p.pigment_lot.product.shade} · {p.pigment_lot.lot_number}"
                        for p in passes
                    )
                ),
                healing=checks[0] if checks else None,
            )
        )
    return rows
