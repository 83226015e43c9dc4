"""Writes on consultations and treatment plans."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import CLINICAL
from clients.intake.selectors import client_latest_intake
from clients.models import Client, Photo
from clients.photos.services import photo_upload_each
from consultations.models import (
    Consultation,
    ConsultationPhoto,
    TreatmentPlan,
    TreatmentPlanSession,
)
from consultations.models.choices import Concern, Decision
from consultations.models.plan import DEFAULT_SESSION_GOALS
from locations.models import Location
from scheduling.models import Appointment, AppointmentType, Course
from scheduling.selectors import locations_for
from scheduling.services import appointment_set_status, course_book
from smp_clinic.lib import events
from smp_clinic.lib.tz import day_bounds

ASSESSMENT_FIELDS = (
    "concern",
    "concern_detail",
    "norwood_stage",
    "ludwig_grade",
    "savin_grade",
    "scar_type",
    "scar_length_mm",
    "scar_width_mm",
    "fitzpatrick",
    "scalp_condition",
    "scalp_notes",
    "hair_colour",
    "desired_outcome",
    "hairline_style",
    "recommended_shade",
    "recommended_density",
    "notes",
    "decision",
    "follow_up_on",
    "not_suitable_reason",
)
NULLABLE_FIELDS = {"scar_length_mm", "scar_width_mm", "follow_up_on"}
# Facts about the client that rarely change: a new consultation starts from the last one.
CARRIED_FORWARD = ("fitzpatrick", "hair_colour", "scalp_condition")


def _require_clinician(user: User) -> None:
    if user.role not in CLINICAL:
        raise ValidationError("Only practitioners and managers run consultations.")


@transaction.atomic
def consultation_start(
    *, client: Client, by: User, appointment: Appointment | None = None
) -> Consultation:
    """Open the consultation of an appointment (or a walk-in one); idempotent per appointment."""
    _require_clinician(by)
    # Before any reuse: a draft opened before the client was archived is not continued
    # from here either (the consultation's own page still shows it).
    if client.is_archived:
        raise ValidationError(f"{client.full_name} is archived; restore the client first.")
    if appointment is not None:
        # The caller's copy may be stale (checked in a moment ago on the front desk); the
        # lock makes a double tap wait and then find the consultation the first one opened.
        appointment = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("appointment_type", "location")
            .get(pk=appointment.pk)
        )
        if appointment.client_id != client.pk:
            raise ValidationError("That appointment belongs to another client.")
        if appointment.appointment_type.kind != AppointmentType.Kind.CONSULTATION:
            raise ValidationError("Consultations start from a consultation appointment.")
        existing = Consultation.objects.filter(appointment=appointment).first()
        if existing is not None:
            return existing
        if appointment.status in (Appointment.Status.CANCELLED, Appointment.Status.NO_SHOW):
            raise ValidationError(f"The appointment is {appointment.get_status_display().lower()}.")
    else:
        walk_in = _open_walk_in(client=client, by=by)
        if walk_in is not None:
            return walk_in
    consultation = Consultation(client=client, appointment=appointment, practitioner=by)
    previous = (
        Consultation.objects.filter(client=client, status=Consultation.Status.COMPLETED)
        .order_by("-completed_at")
        .first()
    )
    if previous is not None:
        for name in CARRIED_FORWARD:
            setattr(consultation, name, getattr(previous, name))
    consultation.save()
    if appointment is not None and appointment.status == Appointment.Status.CHECKED_IN:
        appointment_set_status(
            appointment=appointment, by=by, status=Appointment.Status.IN_PROGRESS
        )
    return consultation


def _open_walk_in(*, client: Client, by: User) -> Consultation | None:
    """The draft this practitioner already opened for this client today without an
    appointment: a double tap, or a second tablet, continues it rather than starting a
    second one. The client's row is locked so two requests at once find the same draft."""
    Client.objects.select_for_update().filter(pk=client.pk).first()
    start, end = day_bounds(
        timezone.localdate(timezone=client.home_location.tz), client.home_location.tz
    )
    return (
        Consultation.objects.filter(
            client=client,
            practitioner=by,
            appointment__isnull=True,
            status=Consultation.Status.DRAFT,
            started_at__gte=start,
            started_at__lt=end,
        )
        .order_by("-started_at")
        .first()
    )


def _editable(consultation: Consultation, by: User) -> Consultation:
    _require_clinician(by)
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if not consultation.is_draft:
        raise ValidationError("This consultation is completed and can no longer be changed.")
    return consultation


@transaction.atomic
def consultation_save_draft(*, consultation: Consultation, by: User, data: dict) -> Consultation:
    """Save whatever has been filled in so far; completeness is checked only on completion."""
    consultation = _editable(consultation, by)
    for name in ASSESSMENT_FIELDS:
        if name in data:
            value = data[name]
            if value is None and name not in NULLABLE_FIELDS:
                value = ""
            setattr(consultation, name, value)
    consultation.save()
    return consultation


@transaction.atomic
def consultation_acknowledge_flags(*, consultation: Consultation, by: User) -> Consultation:
    consultation = _editable(consultation, by)
    intake = client_latest_intake(client=consultation.client)
    if intake is None:
        raise ValidationError(
            "There is no medical intake to acknowledge yet; ask the client to fill it in."
        )
    consultation.flags_acknowledged_intake = intake
    consultation.flags_acknowledged_at = timezone.now()
    consultation.save(
        update_fields=["flags_acknowledged_intake", "flags_acknowledged_at", "updated_at"]
    )
    return consultation


_UNSET = object()


def completion_problems(consultation: Consultation, *, intake=_UNSET) -> dict[str, str]:
    """What still stops this consultation from being completed, field by field.

    ``intake`` may be passed when the caller has already read the client's latest intake."""
    problems: dict[str, str] = {}

    def need(field: str, message: str) -> None:
        if getattr(consultation, field) in ("", None):
            problems[field] = message

    need("concern", "Record the client's main concern.")
    if consultation.concern == Concern.MALE_PATTERN:
        need("norwood_stage", "Grade the hair loss on the Norwood–Hamilton scale.")
    if consultation.concern == Concern.FEMALE_THINNING and not (
        consultation.ludwig_grade or consultation.savin_grade
    ):
        problems["ludwig_grade"] = "Grade the thinning on the Ludwig or Savin scale."
    if consultation.concern == Concern.SCAR:
        need("scar_type", "Say what kind of scar it is.")
        need("scar_length_mm", "Measure the scar's length.")
    if consultation.concern == Concern.OTHER:
        need("concern_detail", "Describe the concern.")
    need("fitzpatrick", "The Fitzpatrick skin type sets the shade: record it.")
    need("hair_colour", "Record the natural hair colour.")
    need("decision", "Record the outcome: proceed, thinking it over, or not suitable.")
    if consultation.decision == Decision.PROCEED:
        need("desired_outcome", "Record the look the client wants.")
        need("recommended_shade", "Recommend a starting shade.")
        need("recommended_density", "Recommend a density.")
        if consultation.concern != Concern.SCAR:
            need("hairline_style", "Choose a hairline style.")
    if consultation.decision == Decision.THINKING:
        need("follow_up_on", "Choose when to follow up.")
        if consultation.follow_up_on and consultation.follow_up_on <= timezone.localdate():
            problems["follow_up_on"] = "The follow-up date must be in the future."
    if consultation.decision == Decision.NOT_SUITABLE:
        need("not_suitable_reason", "Say why SMP is not suitable for this client.")
    if intake is _UNSET:
        intake = client_latest_intake(client=consultation.client)
    if intake is None:
        if consultation.decision == Decision.PROCEED:
            problems["__all__"] = (
                "The client has no medical intake on record; it is needed before proceeding."
            )
    elif consultation.flags_acknowledged_intake_id != intake.pk:
        problems["__all__"] = "Review the medical flags with the client and acknowledge them."
    return problems


def _complete_appointment(consultation: Consultation, by: User) -> None:
    appointment = consultation.appointment
    if appointment is None:
        return
    path = {
        Appointment.Status.BOOKED: ["checked_in", "in_progress", "completed"],
        Appointment.Status.CONFIRMED: ["checked_in", "in_progress", "completed"],
        Appointment.Status.CHECKED_IN: ["in_progress", "completed"],
        Appointment.Status.IN_PROGRESS: ["completed"],
    }.get(appointment.status, [])
    try:
        for status in path:
            appointment = appointment_set_status(appointment=appointment, by=by, status=status)
    except ValidationError:
        # Recorded on another day than the appointment: the calendar keeps its own status.
        return


@transaction.atomic
def consultation_complete(*, consultation: Consultation, by: User) -> Consultation:
    consultation = _editable(consultation, by)
    problems = completion_problems(consultation)
    if problems:
        raise ValidationError(problems)
    consultation.status = Consultation.Status.COMPLETED
    consultation.completed_at = timezone.now()
    consultation.save(update_fields=["status", "completed_at", "updated_at"])
    _complete_appointment(consultation, by)
    if (
        consultation.decision == Decision.PROCEED
        and not TreatmentPlan.objects.filter(consultation=consultation).exists()
    ):
        plan_create(consultation=consultation, by=by)
    events.emit("consultation.completed", consultation=consultation, by=by)
    return consultation


@transaction.atomic
def consultation_photos_add(
    *, consultation: Consultation, by: User, files: list, angle: str, kind: str
) -> tuple[list[Photo], list[str]]:
    """Photos taken at the consultation, through the photo pipeline (and its consent check),
    linked to it. A refused file is reported by name; the others are kept. Open after
    completion too: completion locks the assessment, and the visit's photos often come off
    the camera later (the link's time shows which were added after)."""
    _require_clinician(by)
    return photo_upload_each(
        client=consultation.client,
        by=by,
        files=files,
        angle=angle,
        kind=kind,
        link=lambda photo: ConsultationPhoto.objects.create(consultation=consultation, photo=photo),
    )


# --- Treatment plan ---------------------------------------------------------------------


def plan_create(*, consultation: Consultation, by: User) -> TreatmentPlan:
    plan = TreatmentPlan.objects.create(
        consultation=consultation,
        created_by=by,
        starting_shade=consultation.recommended_shade,
    )
    for n in range(1, plan.sessions + 1):
        TreatmentPlanSession.objects.create(plan=plan, number=n, goal=DEFAULT_SESSION_GOALS[n - 1])
    return plan


@transaction.atomic
def plan_update(*, plan: TreatmentPlan, by: User, data: dict, goals: list[dict]) -> TreatmentPlan:
    _require_clinician(by)
    plan = TreatmentPlan.objects.select_for_update().get(pk=plan.pk)
    if (
        plan.course_id
        and data["sessions"] < plan.course.appointments.filter(status__in=Appointment.LIVE).count()
    ):
        raise ValidationError({"sessions": "More sessions are already booked than this number."})
    if not 1 <= data["sessions"] <= 4:
        raise ValidationError(
            {"sessions": "A course has 1 to 4 sessions (usually 2–3, a 4th optional)."}
        )
    if data["min_interval_days"] > data["max_interval_days"]:
        raise ValidationError(
            {"max_interval_days": "The longest interval must be at least the shortest."}
        )
    if data["price"] < Decimal("0"):
        raise ValidationError({"price": "The price cannot be negative."})
    if len(goals) < data["sessions"] or any(
        not g.get("goal", "").strip() for g in goals[: data["sessions"]]
    ):
        raise ValidationError({"__all__": "Give every session a goal."})
    for name in (
        "sessions",
        "min_interval_days",
        "max_interval_days",
        "starting_shade",
        "starting_dilution",
        "price",
        "notes",
    ):
        setattr(plan, name, data[name])
    plan.save()
    # Each session's goal saved in place, so the audit trail shows which shade or dilution
    # changed (a touch-up years later reproduces the tone from it).
    plan.session_goals.filter(number__gt=plan.sessions).delete()
    for n in range(1, plan.sessions + 1):
        TreatmentPlanSession.objects.update_or_create(
            plan=plan,
            number=n,
            defaults={
                "goal": goals[n - 1]["goal"].strip(),
                "shade": goals[n - 1].get("shade", "").strip(),
                "dilution": goals[n - 1].get("dilution", "").strip(),
            },
        )
    if plan.course_id:
        course = plan.course
        course.planned_sessions = plan.sessions
        course.min_interval_days = plan.min_interval_days
        course.max_interval_days = plan.max_interval_days
        course.save(update_fields=["planned_sessions", "min_interval_days", "max_interval_days"])
    return plan


@transaction.atomic
def plan_book_course(
    *, plan: TreatmentPlan, by: User, appointment_type: AppointmentType, sessions: list
) -> Course:
    """Book the plan's sessions (chosen from the slot finder's proposals) as one course."""
    plan = (
        TreatmentPlan.objects.select_for_update()
        .select_related("consultation__client")
        .get(pk=plan.pk)
    )
    if plan.course_id and plan.course.status == Course.Status.ACTIVE:
        raise ValidationError(
            "This plan's course is already booked; move or add sessions from the calendar."
        )
    # Booked where the booker cannot see, the sessions would vanish from their calendar.
    own = set(locations_for(by).values_list("pk", flat=True))
    elsewhere = {room.location_id for _, _, room in sessions} - own
    if elsewhere:
        names = ", ".join(Location.objects.filter(pk__in=elsewhere).values_list("name", flat=True))
        raise ValidationError(f"You do not work at {names}, so you cannot book there.")
    course = course_book(
        by=by,
        client=plan.consultation.client,
        appointment_type=appointment_type,
        planned_sessions=plan.sessions,
        min_interval_days=plan.min_interval_days,
        max_interval_days=plan.max_interval_days,
        sessions=sessions,
    )
    plan.course = course
    plan.save(update_fields=["course", "updated_at"])
    return course
