"""Shaped reads of the session log, scoped through the clients a user may see."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from clients.selectors import user_location_ids, visible_client_condition
from sessions_app.models import HealingCheck, LayeringPass, PigmentationSession, SessionAmendment

SESSION_RELATED = (
    "client",
    "course",
    "appointment__location",
    "appointment__appointment_type",
)
# The staff a session names, read in one query of their own: joined into the session's
# query they made it take longer to plan (three more relations) than this query takes.
SESSION_PEOPLE = ("practitioner", "signed_off_by", "gate_override_by")


def sessions_visible_to(user: User) -> QuerySet[PigmentationSession]:
    # The client-location links alone, not the clients table again: one relation fewer
    # for the planner in a query that already joins half a dozen.
    return PigmentationSession.objects.filter(visible_client_condition(user))


def session_writable_by(user: User, session: PigmentationSession) -> bool:
    """Reading follows the client (a practitioner at another of the client's locations
    reads their history); changing the log is for the staff of the location where the
    session is held."""
    return user.all_locations or session.appointment.location_id in user_location_ids(user)


def session_get_for_user(*, user: User, public_id, for_write: bool = False) -> PigmentationSession:
    """The session if the user may see it (404 otherwise); ``for_write``: also change it
    (403 for a session held at a location the user does not work at)."""
    try:
        session = (
            sessions_visible_to(user).select_related(*SESSION_RELATED).get(public_id=public_id)
        )
    except (PigmentationSession.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such session") from None
    _attach_people(session)
    if for_write and not session_writable_by(user, session):
        raise PermissionDenied(
            f"This session was held at {session.appointment.location.name}: only its staff "
            "change its log."
        )
    return session


def _attach_people(session: PigmentationSession) -> None:
    ids = {getattr(session, f"{name}_id") for name in SESSION_PEOPLE} - {None}
    people = User.objects.in_bulk(ids)
    for name in SESSION_PEOPLE:
        person_id = getattr(session, f"{name}_id")
        if person_id is not None:
            setattr(session, name, people[person_id])


def with_corrections(passes: QuerySet[LayeringPass]) -> QuerySet[LayeringPass]:
    """Passes with what ``LayeringPass.corrected`` reads: their amendments, oldest first."""
    return passes.select_related("needle", "pigment_lot__product").prefetch_related(
        Prefetch(
            "amendments",
            queryset=SessionAmendment.objects.select_related("corrected_lot__product").order_by(
                "at", "pk"
            ),
        )
    )


def session_passes(session: PigmentationSession) -> list[LayeringPass]:
    return list(with_corrections(session.passes.all()).order_by("number"))


def session_amendments(session: PigmentationSession) -> list[SessionAmendment]:
    return list(
        session.amendments.select_related("by", "layering_pass", "corrected_lot__product").order_by(
            "at", "pk"
        )
    )


@dataclass
class NoteLine:
    """One line of a signed-off session's notes, as corrected by its latest amendment."""

    key: str
    label: str
    value: str
    signed: str = ""
    amended: bool = False


NOTE_LABELS = {
    "numbing": "Numbing",
    "pain": "Pain",
    "skin_reaction": "Skin reaction",
    "bleeding": "Bleeding",
    "client_comfort": "Comfort",
    "next_session_advice": "Next session",
    "notes": "Notes",
}
ALWAYS_SHOWN = ("numbing", "pain", "skin_reaction", "bleeding")


def session_notes_corrected(
    session: PigmentationSession, amendments: list[SessionAmendment]
) -> list[NoteLine]:
    """The signed notes with each correction applied (``amendments`` oldest first, as
    session_amendments reads them), and the signed value beside a corrected one."""
    latest = {a.field: a.new_value for a in amendments if a.layering_pass_id is None}
    lines = []
    for name, label in NOTE_LABELS.items():
        signed = _note_text(session, name, getattr(session, name))
        if name in latest:
            value = _note_text(session, name, latest[name])
            lines.append(NoteLine(name, label, value, signed=signed, amended=value != signed))
        elif signed or name in ALWAYS_SHOWN:
            lines.append(NoteLine(name, label, signed or "—"))
    return lines


def _note_text(session: PigmentationSession, name: str, value) -> str:
    if value in (None, ""):
        return ""
    if name == "pain":
        return f"{value}/10"
    choices = dict(PigmentationSession._meta.get_field(name).choices or ())
    return str(choices.get(value, value))


def session_healing_checks(session: PigmentationSession) -> list[HealingCheck]:
    return list(session.healing_checks.select_related("recorded_by"))


def prefill_from(session: PigmentationSession) -> LayeringPass | None:
    """The pass a new pass starts from: this session's last, else the previous session's last
    (with its corrections: read it through ``LayeringPass.corrected``)."""
    last = with_corrections(session.passes.all()).order_by("-number").first()
    if last is not None:
        return last
    return (
        with_corrections(
            LayeringPass.objects.filter(
                session__client_id=session.client_id, session__status="signed_off"
            ).exclude(session=session)
        )
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
            Prefetch("passes", queryset=with_corrections(LayeringPass.objects.order_by("number"))),
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
                shades=list(dict.fromkeys(p.corrected("shade") for p in passes)),
                dilutions=list(dict.fromkeys(p.corrected("dilution") for p in passes)),
                needles=list(dict.fromkeys(p.needle.label for p in passes)),
                lots=list(
                    dict.fromkeys(
                        f"{lot.product.shade} · {lot.lot_number}"
                        for lot in (p.corrected("pigment_lot") for p in passes)
                    )
                ),
                healing=checks[0] if checks else None,
            )
        )
    return rows


def session_photo_links(session: PigmentationSession) -> list:
    from sessions_app.models import SessionPhoto

    return list(
        SessionPhoto.objects.filter(session=session)
        .select_related("photo")
        .order_by("photo__angle", "stage")
    )


@dataclass
class ProgressColumn:
    title: str
    subtitle: str
    session: PigmentationSession | None = None


@dataclass
class ProgressRow:
    angle: str
    label: str
    cells: list[list] = field(default_factory=list)  # per column: the photos, before then after


def progress_grid(*, client) -> tuple[list[ProgressColumn], list[ProgressRow]]:
    """Baseline and every session's photos, one row per angle: three queries in all."""
    from clients.models import Photo
    from clients.models.photo import PhotoAngle, PhotoKind
    from sessions_app.models import SessionPhoto

    photos = {p.pk: p for p in Photo.objects.filter(client=client).order_by("taken_at", "pk")}
    links = list(
        SessionPhoto.objects.filter(session__client=client)
        .select_related("session__appointment__location")
        .order_by("session__appointment__start", "stage")
    )
    sessions: list[PigmentationSession] = []
    for link in links:
        if link.session not in sessions:
            sessions.append(link.session)
    columns = [ProgressColumn("Baseline", "before treatment")] + [
        ProgressColumn(
            f"Session {s.appointment.course_position or ''}".strip(),
            timezone.localtime(s.appointment.start, s.appointment.location.tz).strftime("%d %b %Y"),
            session=s,
        )
        for s in sessions
    ]
    cells: dict[str, list[list]] = {}
    for photo in photos.values():
        if photo.kind == PhotoKind.BASELINE:
            cells.setdefault(photo.angle, [[] for _ in columns])[0].append(photo)
    for link in links:
        photo = photos.get(link.photo_id)
        if photo is not None:
            index = 1 + sessions.index(link.session)
            cells.setdefault(photo.angle, [[] for _ in columns])[index].append(photo)
    rows = [
        ProgressRow(angle=angle, label=label, cells=cells[angle])
        for angle, label in PhotoAngle.choices
        if angle in cells
    ]
    return columns, rows


def healing_photos_to_review(*, user: User, limit: int = 20) -> list[PigmentationSession]:
    """Sessions whose client sent a healing photo that no healing check has answered yet,
    among those the user may rate (session_writable_by: held where they work): the
    practitioner's own, every such one for a manager."""
    from sessions_app.models import SessionPhoto

    unanswered = HealingCheck.objects.filter(session=OuterRef("pk"))
    sent = SessionPhoto.objects.filter(session=OuterRef("pk"), stage=SessionPhoto.Stage.HEALING)
    sessions = sessions_visible_to(user).filter(Exists(sent)).exclude(Exists(unanswered))
    if not user.all_locations:
        sessions = sessions.filter(appointment__location_id__in=user_location_ids(user))
    if user.role == "practitioner":
        sessions = sessions.filter(practitioner=user)
    return list(
        sessions.select_related("client", "appointment__location").order_by("appointment__start")[
            :limit
        ]
    )
