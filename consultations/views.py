from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.roles import CLINICAL, STAFF
from clients.intake.selectors import client_latest_intake
from clients.photos.selectors import photo_upload_refusal
from clients.photos.views import upload_reported
from clients.selectors import client_get_for_user
from consultations import selectors, services
from consultations.forms import (
    ConsultationForm,
    ConsultationPhotoForm,
    PlanForm,
    SessionGoalFormSet,
)
from scheduling import slots
from scheduling.forms import parse_course_sessions
from scheduling.models import AppointmentType, WorkingHours
from scheduling.selectors import appointment_get_for_user, locations_for, practitioners_at
from smp_clinic.lib.forms import add_service_error
from smp_clinic.lib.urls import safe_next


@role_required(*CLINICAL)
@require_POST
def consultation_start(request: HttpRequest, client_id) -> HttpResponse:
    client = client_get_for_user(user=request.user, public_id=client_id)
    appointment = None
    appointment_id = request.POST.get("appointment") or request.GET.get("appointment")
    if appointment_id:
        appointment = appointment_get_for_user(user=request.user, public_id=appointment_id)
    try:
        consultation = services.consultation_start(
            client=client, by=request.user, appointment=appointment
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("clients:detail", client_id=client.public_id)
    return redirect("consultations:detail", consultation_id=consultation.public_id)


def _page_context(request: HttpRequest, consultation, form, photo_form=None) -> dict:
    intake = client_latest_intake(client=consultation.client)
    flags = list(intake.flags.all()) if intake else []
    versions = selectors.consultation_designs(consultation)
    return {
        "consultation": consultation,
        "client": consultation.client,
        "form": form,
        "intake": intake,
        "flags": flags,
        "acknowledged": intake is not None
        and consultation.flags_acknowledged_intake_id == intake.pk,
        "plan": selectors.plan_for(consultation),
        "latest_design": versions[0] if versions else None,
        "approved_design": selectors.design_in_force(versions),
        "photos": selectors.consultation_photos(consultation),
        "photo_form": photo_form or ConsultationPhotoForm(),
        "photo_refusal": photo_upload_refusal(client=consultation.client),
        "problems": services.completion_problems(consultation, intake=intake)
        if consultation.is_draft
        else {},
    }


def _save_status(request: HttpRequest, **context) -> HttpResponse:
    return render(request, "consultations/detail.html#save-status", context)


@role_required(*CLINICAL)
def consultation_detail(request: HttpRequest, consultation_id) -> HttpResponse:
    consultation = selectors.consultation_get_for_user(user=request.user, public_id=consultation_id)
    if request.method != "POST":
        form = ConsultationForm(instance=consultation) if consultation.is_draft else None
        return render(
            request, "consultations/detail.html", _page_context(request, consultation, form)
        )
    # Autosave swaps its answer into the status line: it must never get a whole page back.
    autosave = bool(request.htmx and request.POST.get("autosave"))
    if not consultation.is_draft:
        return _refuse_completed(request, consultation, autosave=autosave)
    form = ConsultationForm(request.POST, instance=consultation)
    valid = form.is_valid()
    if not valid and not autosave:
        return render(
            request, "consultations/detail.html", _page_context(request, consultation, form)
        )
    try:
        # A draft keeps every answer that is valid: one mistyped number must not cost the
        # notes typed around it if the tab closes before it is corrected.
        consultation = services.consultation_save_draft(
            consultation=consultation, by=request.user, data=form.cleaned_data
        )
    except ValidationError:
        return _refuse_completed(request, consultation, autosave=autosave)
    if autosave:
        return _save_status(
            request,
            saved_at=timezone.localtime(),
            field_errors=[
                (form[name].label if name in form.fields else "", " ".join(errors))
                for name, errors in form.errors.items()
            ],
        )
    if "complete" in request.POST:
        try:
            services.consultation_complete(consultation=consultation, by=request.user)
        except ValidationError as error:
            add_service_error(form, error)
            return render(
                request, "consultations/detail.html", _page_context(request, consultation, form)
            )
        messages.success(request, "Consultation completed.")
        return redirect("consultations:detail", consultation_id=consultation.public_id)
    messages.success(request, "Draft saved.")
    return redirect("consultations:detail", consultation_id=consultation.public_id)


COMPLETED_ELSEWHERE = (
    "This consultation was completed (perhaps in another tab) and can no longer be changed."
)


def _refuse_completed(request: HttpRequest, consultation, *, autosave: bool) -> HttpResponse:
    if autosave:
        # The typed answers stay on screen, so they can be copied before reloading.
        return _save_status(request, refused=f"Not saved. {COMPLETED_ELSEWHERE} Reload the page.")
    messages.error(request, COMPLETED_ELSEWHERE)
    return redirect("consultations:detail", consultation_id=consultation.public_id)


@role_required(*CLINICAL)
def consultation_photos(request: HttpRequest, consultation_id) -> HttpResponse:
    """Photos taken at the consultation: the form on the detail page posts here and goes
    back to ``next``; this page shows the form again when a photo is refused, and is where
    the design page sends a practitioner who needs a photo to draw on."""
    consultation = selectors.consultation_get_for_user(user=request.user, public_id=consultation_id)
    detail_url = reverse("consultations:detail", args=[consultation.public_id])
    back = safe_next(request, detail_url)
    refusal = photo_upload_refusal(client=consultation.client)
    form = ConsultationPhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and refusal is None and form.is_valid():
        saved, refused = services.consultation_photos_add(
            consultation=consultation,
            by=request.user,
            files=form.cleaned_data["files"],
            angle=form.cleaned_data["angle"],
            kind=form.cleaned_data["kind"],
        )
        if upload_reported(request, form, saved=saved, refused=refused):
            return redirect(back)
    return render(
        request,
        "consultations/photos.html",
        {
            "consultation": consultation,
            "client": consultation.client,
            "photo_form": form,
            "photo_refusal": refusal,
            "next": back,
        },
    )


@role_required(*CLINICAL)
@require_POST
def consultation_acknowledge(request: HttpRequest, consultation_id) -> HttpResponse:
    consultation = selectors.consultation_get_for_user(user=request.user, public_id=consultation_id)
    try:
        services.consultation_acknowledge_flags(consultation=consultation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Medical flags reviewed and acknowledged.")
    return redirect("consultations:detail", consultation_id=consultation.public_id)


def _plan_or_404(consultation):
    plan = selectors.plan_for(consultation)
    if plan is None:
        raise Http404("This consultation has no treatment plan")
    return plan


@role_required(*CLINICAL)
def plan_edit(request: HttpRequest, consultation_id) -> HttpResponse:
    consultation = selectors.consultation_get_for_user(user=request.user, public_id=consultation_id)
    plan = _plan_or_404(consultation)
    goals_initial = [
        {"goal": g.goal, "shade": g.shade, "dilution": g.dilution} for g in plan.session_goals.all()
    ]
    goals_initial += [{} for _ in range(4 - len(goals_initial))]
    form = PlanForm(request.POST or None, instance=plan)
    goals = SessionGoalFormSet(request.POST or None, initial=goals_initial, prefix="goal")
    if request.method == "POST" and form.is_valid() and goals.is_valid():
        try:
            services.plan_update(
                plan=plan,
                by=request.user,
                data=form.cleaned_data,
                goals=[g.cleaned_data for g in goals.forms],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Treatment plan saved.")
            return redirect("consultations:detail", consultation_id=consultation.public_id)
    return render(
        request,
        "consultations/plan_form.html",
        {
            "consultation": consultation,
            "plan": plan,
            "form": form,
            "goals": goals,
        },
    )


@role_required(*STAFF)
def plan_book(request: HttpRequest, consultation_id) -> HttpResponse:
    """Propose the plan's sessions with the slot finder and book them on confirmation. Open
    to the front desk, who book courses: the page shows the plan's sessions and spacing only,
    nothing clinical."""
    consultation = selectors.consultation_get_for_user(user=request.user, public_id=consultation_id)
    plan = _plan_or_404(consultation)
    locations = list(locations_for(request.user))
    if not locations:
        messages.error(request, "You work at no open location, so there is no calendar to book.")
        return redirect("clients:detail", client_id=consultation.client.public_id)
    location, refusal = _booking_location(request, consultation, locations)
    errors = [refusal] if refusal else []
    session_type = AppointmentType.objects.filter(
        kind=AppointmentType.Kind.SESSION, is_active=True
    ).first()
    if session_type is None:
        messages.error(
            request,
            "Pigmentation sessions are not offered as an appointment type: a manager turns "
            "them back on in Settings, then the course can be booked.",
        )
        # The client page: the plan page is clinical, and the front desk books courses too.
        return redirect("clients:detail", client_id=consultation.client.public_id)
    if request.method == "POST" and not refusal:
        try:
            chosen = parse_course_sessions(request, location)
            services.plan_book_course(
                plan=plan, by=request.user, appointment_type=session_type, sessions=chosen
            )
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(
                request, f"{len(chosen)} sessions booked for {consultation.client.full_name}."
            )
            return redirect(
                "clients:section", client_id=consultation.client.public_id, section="appointments"
            )
    practitioners = list(practitioners_at(location))
    wanted = request.GET.get("practitioner", "")
    practitioner = next((p for p in practitioners if str(p.public_id) == wanted), None)
    if not wanted:
        # Continuity: the consultant does the sessions when they are on this location's rota.
        on_rota = WorkingHours.objects.filter(
            practitioner=consultation.practitioner, location=location
        ).exists()
        practitioner = consultation.practitioner if on_rota else None
    proposals = slots.propose_course(
        appointment_type=session_type,
        location=location,
        sessions=plan.sessions,
        min_interval_days=plan.min_interval_days,
        max_interval_days=plan.max_interval_days,
        first_from=timezone.localdate() + timedelta(days=1),
        practitioner=practitioner,
    )
    return render(
        request,
        "consultations/plan_book.html",
        {
            "consultation": consultation,
            "plan": plan,
            "proposals": proposals,
            "location": location,
            "all_found": all(p.slot for p in proposals),
            "errors": errors,
            "practitioners": practitioners,
            "practitioner": practitioner,
            "locations": locations,
        },
    )


def _booking_location(request: HttpRequest, consultation, locations: list) -> tuple:
    """Where the course is booked: a location the user works at (so they see what they
    book), the one asked for if any, else the consultation's, else the client's home,
    else the user's first. A location the user cannot book at is refused by name."""
    wanted = request.POST.get("location") or request.GET.get("location")
    if wanted:
        chosen = next((place for place in locations if str(place.public_id) == wanted), None)
        if chosen is None:
            return locations[0], (
                "You do not work at that location, so you cannot book there: choose one of yours."
            )
        return chosen, None
    preferred = [
        consultation.appointment.location_id if consultation.appointment else None,
        consultation.client.home_location_id,
    ]
    for place_id in preferred:
        chosen = next((place for place in locations if place.pk == place_id), None)
        if chosen is not None:
            return chosen, None
    return locations[0], None
