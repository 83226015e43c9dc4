"""Reads of consultations and plans, scoped through the clients the user may see."""

from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, QuerySet
from django.http import Http404

from accounts.models import User
from clients.models import Photo
from clients.selectors import clients_visible_to
from consultations.models import Consultation, ConsultationPhoto, DesignPlan, TreatmentPlan


def consultations_visible_to(user: User) -> QuerySet[Consultation]:
    visible = clients_visible_to(user).filter(pk=OuterRef("client_id"))
    return Consultation.objects.filter(Exists(visible))


def consultation_get_for_user(*, user: User, public_id) -> Consultation:
    try:
        return (
            consultations_visible_to(user)
            .select_related(
                "client__home_location",
                "practitioner",
                "appointment__appointment_type",
                "appointment__location",
                "flags_acknowledged_intake",
            )
            .get(public_id=public_id)
        )
    except (Consultation.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such consultation") from None


def client_consultations(*, client) -> list[Consultation]:
    return list(
        Consultation.objects.filter(client=client)
        .select_related("practitioner", "appointment", "plan__course")
        .order_by("-started_at")
    )


def consultation_photos(consultation: Consultation) -> list[Photo]:
    """The photos taken at this consultation, newest first, each with ``linked_at`` (when it
    was added to the consultation: after completion, the page says so). One query."""
    return list(
        Photo.objects.filter(consultation_links__consultation=consultation)
        # The filter's join: the link of this consultation, not of another one.
        .annotate(linked_at=F("consultation_links__created_at"))
        .order_by("-taken_at", "-pk")
    )


def design_photos(consultation: Consultation) -> list[Photo]:
    """Every photo of the client a design may be drawn on: this consultation's first, each
    marked ``at_consultation``, then the older ones, newest first. One query."""
    taken_here = ConsultationPhoto.objects.filter(consultation=consultation, photo=OuterRef("pk"))
    return list(
        Photo.objects.filter(client_id=consultation.client_id)
        .annotate(at_consultation=Exists(taken_here))
        .order_by("-at_consultation", "-taken_at", "-pk")
    )


def plan_for(consultation: Consultation) -> TreatmentPlan | None:
    return (
        TreatmentPlan.objects.filter(consultation=consultation)
        .select_related("course")
        .prefetch_related("session_goals")
        .first()
    )


def design_in_force(versions: list[DesignPlan]) -> DesignPlan | None:
    """Of a consultation's versions, the one the sessions follow: the latest approval (an
    older drawing the client preferred stays in force over a newer draft), or None."""
    approved = [plan for plan in versions if plan.is_approved]
    return max(approved, key=lambda plan: plan.approved_at) if approved else None


def consultation_designs(consultation: Consultation) -> list[DesignPlan]:
    """The consultation's versions, newest first, without their drawings. One query."""
    return list(consultation.designs.defer("design").order_by("-version"))


def design_to_show(*, client) -> DesignPlan | None:
    """The client's approved design if there is one (the latest approved), else the newest
    draft. Approval first, whichever database sorts empty dates where."""
    return (
        DesignPlan.objects.filter(consultation__client=client)
        .select_related("consultation", "photo")
        .order_by(F("approved_at").desc(nulls_last=True), "-created_at")
        .first()
    )
