import uuid
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import role_required
from accounts.roles import CLINICAL, Role
from clients.photos.selectors import photo_upload_refusal
from scheduling import slots
from scheduling.forms import parse_course_sessions
from scheduling.models import Appointment
from scheduling.selectors import appointment_get_for_user
from scheduling.services import appointment_book
from sessions_app import inventory, selectors, services
from sessions_app.forms import (
    AbandonForm,
    AmendmentForm,
    HealingCheckForm,
    NotesForm,
    OverrideForm,
    PassForm,
    SessionPhotoForm,
)
from sessions_app.models import PigmentationSession, PigmentLot
from smp_clinic.lib.forms import add_service_error


def _pass_form(session, data=None):
    today = services.session_today(session)
    initial = {"form_token": uuid.uuid4()}
    source = selectors.prefill_from(session)
    if source is not None and data is None:
        initial |= {
            name: source.corrected(name)
            for name in (
                "zones",
                "dilution",
                "machine",
                "machine_settings",
                "depth",
                "density",
                "shade",
                "duration_minutes",
                "pigment_ml",
            )
        }
        # A lot or needle that is no longer usable is not offered again.
        lot = source.corrected("pigment_lot")
        if not lot.is_recalled and not lot.is_expired(today):
            initial["pigment_lot"] = lot.public_id
        if not source.needle.is_expired(today):
            initial["needle"] = source.needle.public_id
    return PassForm(
        data,
        initial=initial,
        lots=inventory.usable_lots(today),
        needles=inventory.usable_needles(today),
    )


def _needs_next(session: PigmentationSession) -> bool:
    """After sign-off: whether the course still needs its next session booked."""
    course = session.course
    if course is None or not session.is_locked:
        return False
    upcoming = course.appointments.filter(
        status__in=Appointment.UPCOMING, start__gt=session.appointment.start
    ).exists()
    remaining = (
        course.planned_sessions - course.appointments.filter(status__in=Appointment.LIVE).count()
    )
    return not upcoming and remaining > 0


def _next_proposal(session: PigmentationSession):
    """The next session of the course, proposed within the plan's interval (the slot
    finder: the page fetches it after it has loaded)."""
    course = session.course
    location = session.appointment.location
    day = timezone.localtime(session.appointment.start, location.tz).date()
    proposals = slots.propose_course(
        appointment_type=session.appointment.appointment_type,
        location=location,
        sessions=1,
        min_interval_days=course.min_interval_days,
        max_interval_days=course.max_interval_days,
        first_from=max(
            day + timedelta(days=course.min_interval_days),
            services.session_today(session) + timedelta(days=1),
        ),
        first_window_days=course.max_interval_days - course.min_interval_days,
        practitioner=session.practitioner,
    )
    return proposals[0] if proposals else None


# What puts a failed check of the gate right: the link's words, and where it goes (from the
# client's public id, the session's page to come back to, and the record the check names).
_REMEDIES = {
    "sign_consent": (
        "Hand the tablet to the client to sign the treatment consent",
        lambda client_id, back, about: (
            reverse("clients:consent_sign", args=[client_id, "treatment"])
            + "?"
            + urlencode({"next": back})
        ),
    ),
    "new_intake": (
        "Hand the tablet to the client for the medical intake",
        lambda client_id, back, about: (
            reverse("clients:intake_new", args=[client_id]) + "?tablet=1"
        ),
    ),
    "review_intake": (
        "Read the intake and mark it reviewed",
        lambda client_id, back, about: reverse("clients:intake_detail", args=[client_id, about]),
    ),
    "clear_flags": (
        "Record the clearance of each blocking flag",
        lambda client_id, back, about: reverse("clients:intake_detail", args=[client_id, about]),
    ),
    "previous_session": (
        "Open the previous session",
        lambda client_id, back, about: reverse("sessions_app:session", args=[about]),
    ),
    "healing_check": (
        "Record the healing check on the previous session",
        lambda client_id, back, about: (
            reverse("sessions_app:session", args=[about]) + "#healing-checks"
        ),
    ),
}


def _gate_rows(
    session: PigmentationSession, gate: list[services.GateCheck], *, can_write: bool
) -> list[tuple[services.GateCheck, str, str]]:
    """Each check of the gate with, when it failed and someone here can put it right (the
    page is for practitioners and managers, who may do all of these), a link that does."""
    fixable = can_write and not session.client.is_archived
    back = reverse("sessions_app:session", args=[session.public_id])
    rows = []
    for check in gate:
        remedy = _REMEDIES.get(check.remedy) if fixable and not check.ok else None
        if remedy is None:
            rows.append((check, "", ""))
            continue
        label, url = remedy
        rows.append((check, label, url(session.client.public_id, back, check.about)))
    return rows


def _page(request: HttpRequest, session: PigmentationSession, **forms) -> HttpResponse:
    amendments = selectors.session_amendments(session) if session.is_locked else []
    # Staff of another of the client's locations read the log; its forms are not theirs.
    can_write = selectors.session_writable_by(request.user, session)
    context = {
        "session": session,
        "client": session.client,
        "can_write": can_write,
        "passes": selectors.session_passes(session),
        "amendments": amendments,
        "note_lines": selectors.session_notes_corrected(session, amendments),
        "healing_checks": selectors.session_healing_checks(session) if session.is_locked else [],
        "gate": (
            gate := services.session_gate(session=session)
            if session.status == "not_started"
            else []
        ),
        "gate_rows": _gate_rows(session, gate, can_write=can_write),
        "gate_passes": all(check.ok for check in gate),
        "is_manager": request.user.role == Role.MANAGER,
        "next_pending": can_write and _needs_next(session),
        "next_proposal": forms.get("next_proposal"),
        "photo_links": (photo_links := selectors.session_photo_links(session)),
        "healing_photos": [link for link in photo_links if link.stage == "healing"],
        "stock_fix_lot": forms.get("stock_fix_lot"),
    }
    if can_write:
        context["photo_form"] = forms.get("photo_form") or SessionPhotoForm()
        context["photo_refusal"] = photo_upload_refusal(client=session.client)
    if can_write and session.status == "not_started":
        context["override_form"] = forms.get("override_form") or OverrideForm()
    if can_write and session.status == "in_progress":
        context["pass_form"] = forms.get("pass_form") or _pass_form(session)
        context["notes_form"] = forms.get("notes_form") or NotesForm(instance=session)
        # Offered only before any pigment went in (services.session_abandon).
        context["abandon_form"] = forms.get("abandon_form") or (
            None if context["passes"] else AbandonForm()
        )
    if can_write and session.is_locked:
        today = services.session_today(session)
        # Given only when it is open (a page without JavaScript, or a refused correction).
        context["amend_form"] = forms.get("amend_form")
        context["healing_form"] = forms.get("healing_form") or HealingCheckForm(
            initial={"checked_on": today}
        )
    if request.htmx and request.htmx.target == "passes":
        return render(request, "sessions_app/session.html#passes", context)
    return render(request, "sessions_app/session.html", context)


def _may_fix_stock(request: HttpRequest, error: ValidationError, field: str) -> bool:
    """A manager refused for want of stock on record is offered the lot's stock correction."""
    return request.user.role == Role.MANAGER and inventory.is_short_stock(error, field)


def _any_lot():
    """A correction may name any lot, even one expired or recalled since: it records what
    really went into the skin."""
    return PigmentLot.objects.select_related("product").order_by(
        "product__brand", "product__name", "lot_number"
    )


@role_required(*CLINICAL)
@require_POST
def session_open(request: HttpRequest, appointment_id) -> HttpResponse:
    appointment = appointment_get_for_user(user=request.user, public_id=appointment_id)
    try:
        session = services.session_open(appointment=appointment, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("scheduling:appointment", appointment_id=appointment.public_id)
    return redirect("sessions_app:session", session_id=session.public_id)


@role_required(*CLINICAL)
def session_detail(request: HttpRequest, session_id) -> HttpResponse:
    session = selectors.session_get_for_user(user=request.user, public_id=session_id)
    return _page(request, session)


@role_required(*CLINICAL)
@require_POST
def session_start(request: HttpRequest, session_id) -> HttpResponse:
    session = selectors.session_get_for_user(
        user=request.user, public_id=session_id, for_write=True
    )
    try:
        services.session_start(session=session, by=request.user)
    except ValidationError as error:
        # Each reason is a sentence of its own.
        messages.error(request, " ".join(["The session cannot start.", *error.messages]))
    else:
        messages.success(request, "Safety gate passed. The session has started.")
    return redirect("sessions_app:session", session_id=session.public_id)


@role_required(Role.MANAGER)
@require_POST
def session_override(request: HttpRequest, session_id) -> HttpResponse:
    session = selectors.session_get_for_user(
        user=request.user, public_id=session_id, for_write=True
    )
    form = OverrideForm(request.POST)
    if form.is_valid():
        try:
            services.session_override_gate(
                session=session, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.warning(request, "Safety gate overridden; your reason is kept on the record.")
            return redirect("sessions_app:session", session_id=session.public_id)
    return _page(request, session, override_form=form)


@role_required(*CLINICAL)
@require_POST
def session_abandon(request: HttpRequest, session_id) -> HttpResponse:
    session = selectors.session_get_for_user(
        user=request.user, public_id=session_id, for_write=True
    )
    form = AbandonForm(request.POST)
    if form.is_valid():
        try:
            services.session_abandon(
                session=session, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            # What the session's state refuses (a pass logged meanwhile, closed already),
            # said on the page as it is now.
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                "The session is closed as not gone ahead; its appointment is cancelled and "
                "the course's next session no longer waits for it.",
            )
        return redirect("sessions_app:session", session_id=session.public_id)
    return _page(request, session, abandon_form=form)


@role_required(*CLINICAL)
@require_POST
def pass_add(request: HttpRequest, session_id) -> HttpResponse:
    session = selectors.session_get_for_user(
        user=request.user, public_id=session_id, for_write=True
    )
    form = _pass_form(session, request.POST)
    if form.is_valid():
        try:
            services.pass_add(session=session, by=request.user, data=form.cleaned_data)
        except ValidationError as error:
            lot = form.cleaned_data["pigment_lot"]  # the error takes it off cleaned_data
            if getattr(error, "code", None) == services.FORM_ALREADY_USED:
                # What was typed stays, on a new form: sent now, it is a pass of its own.
                fresh = request.POST.copy()
                fresh["form_token"] = str(uuid.uuid4())
                form = _pass_form(session, fresh)
                form.is_valid()
            add_service_error(form, error)
            if _may_fix_stock(request, error, "pigment_lot"):
                return _page(request, session, pass_form=form, stock_fix_lot=lot)
        else:
            if not request.htmx:
                messages.success(request, "Pass logged.")
                return redirect("sessions_app:session", session_id=session.public_id)
            return _page(request, session)
    return _page(request, session, pass_form=form)


@role_required(*CLINICAL)
@require_POST
def pass_delete(request: HttpRequest, session_id, pass_id) -> HttpResponse:
    session = selectors.session_get_for_user(
        user=request.user, public_id=session_id, for_write=True
    )
    layering_pass = session.passes.filter(public_id=pass_id).first()
    if layering_pass is None:  # a second tap on Remove, after the first took it away
        messages.info(request, "That pass was already removed.")
        return redirect("sessions_app:session", session_id=session.public_id)
    try:
        services.pass_delete(layering_pass=layering_pass, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"Pass {layering_pass.number} removed; its pigment is back in stock."
        )
    return redirect("sessions_app:session", session_id=session.public_id)


@role_required(*CLINICAL)
@require_POST
def notes_save(request: HttpRequest, session_id) -> HttpResponse:
    session = selectors.session_get_for_user(
        user=request.user, public_id=session_id, for_write=True
    )
    form = NotesForm(request.POST, instance=session)
    if form.is_valid():
        try:
            session = services.session_save_notes(
                session=session, by=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            if "sign_off" in request.POST:
                try:
                    services.session_sign_off(session=session, by=request.user)
                except ValidationError as error:
                    add_service_error(form, error)
                    return _page(request, session, notes_form=form)
                messages.success(
                    request, "Session signed off. Corrections from now on are amendments."
                )
            else:
                messages.success(request, "Notes saved.")
            return redirect("sessions_app:session", session_id=session.public_id)
    return _page(request, session, notes_form=form)


@role_required(*CLINICAL)
@require_http_methods(["GET", "POST"])
def amend(request: HttpRequest, session_id) -> HttpResponse:
    session = selectors.session_get_for_user(
        user=request.user, public_id=session_id, for_write=True
    )
    if not session.is_locked:
        return redirect("sessions_app:session", session_id=session.public_id)
    if request.method == "GET":
        form = AmendmentForm(session=session, lots=_any_lot())
        if request.htmx:
            context = {"session": session, "amend_form": form}
            return render(request, "sessions_app/session.html#amend_form", context)
        return _page(request, session, amend_form=form)
    form = AmendmentForm(request.POST, session=session, lots=_any_lot())
    if form.is_valid():
        data = form.cleaned_data
        parts = data["target"].split(":")
        layering_pass = None
        if parts[0] == "pass":
            layering_pass = session.passes.filter(number=int(parts[1])).first()
        try:
            services.session_amend(
                session=session,
                by=request.user,
                field=parts[-1],
                new_value=data["new_value"],
                reason=data["reason"],
                layering_pass=layering_pass,
                corrected_lot=data["corrected_lot"],
            )
        except ValidationError as error:
            lot = data["corrected_lot"]  # the error takes it off cleaned_data
            add_service_error(form, error)
            if _may_fix_stock(request, error, "corrected_lot"):
                return _page(request, session, amend_form=form, stock_fix_lot=lot)
            if _may_fix_stock(request, error, "new_value"):  # more pigment than on record
                lot = PigmentLot.objects.get(pk=services.pass_lot_id_on_record(layering_pass))
                return _page(request, session, amend_form=form, stock_fix_lot=lot)
        else:
            messages.success(request, "Correction added to the record.")
            return redirect("sessions_app:session", session_id=session.public_id)
    return _page(request, session, amend_form=form)


@role_required(*CLINICAL)
@require_POST
def healing_check(request: HttpRequest, session_id) -> HttpResponse:
    session = selectors.session_get_for_user(
        user=request.user, public_id=session_id, for_write=True
    )
    form = HealingCheckForm(request.POST)
    if form.is_valid():
        try:
            services.healing_check_record(session=session, by=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Healing check recorded.")
            return redirect("sessions_app:session", session_id=session.public_id)
    return _page(request, session, healing_form=form)


@role_required(*CLINICAL)
@require_http_methods(["GET", "POST"])
def book_next(request: HttpRequest, session_id) -> HttpResponse:
    session = selectors.session_get_for_user(
        user=request.user, public_id=session_id, for_write=True
    )
    if request.method == "GET":
        if not _needs_next(session):
            if request.htmx:
                return HttpResponse("")
            return redirect("sessions_app:session", session_id=session.public_id)
        proposal = _next_proposal(session)
        if request.htmx:
            context = {"session": session, "client": session.client, "next_proposal": proposal}
            return render(request, "sessions_app/session.html#next_session", context)
        return _page(request, session, next_proposal=proposal)
    if session.course is None:
        raise PermissionDenied("This session is not part of a course.")
    try:
        [(start, practitioner, room)] = parse_course_sessions(request, session.appointment.location)
        appointment = appointment_book(
            by=request.user,
            client=session.client,
            appointment_type=session.appointment.appointment_type,
            practitioner=practitioner,
            room=room,
            start=start,
            course=session.course,
        )
    except ValueError:
        messages.error(request, "Choose one proposed session.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        local = timezone.localtime(appointment.start, appointment.location.tz)
        messages.success(request, f"Next session booked for {local:%a %d %b} at {local:%H:%M}.")
    return redirect("sessions_app:session", session_id=session.public_id)


@role_required(*CLINICAL)
@require_POST
def photos_add(request: HttpRequest, session_id) -> HttpResponse:
    session = selectors.session_get_for_user(
        user=request.user, public_id=session_id, for_write=True
    )
    form = SessionPhotoForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        saved, refused = services.session_photos_add(
            session=session,
            by=request.user,
            files=data["files"],
            stage=data["stage"],
            angle=data["angle"],
        )
        if saved:
            messages.success(request, f"{len(saved)} photo{'s' if len(saved) != 1 else ''} added.")
        for problem in refused:
            messages.error(request, f"Not saved: {problem}")
        return redirect("sessions_app:session", session_id=session.public_id)
    return _page(request, session, photo_form=form)
