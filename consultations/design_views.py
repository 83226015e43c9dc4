"""The design step of a consultation: draw over a photo, keep versions, get a signature."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from accounts import handover
from accounts.access import role_required
from accounts.roles import CLINICAL
from clients.models import Photo
from clients.photos.selectors import photo_consent_valid, photo_upload_refusal
from consultations import designs, selectors
from consultations.design import design_as_sent
from consultations.forms import DesignApprovalForm, DesignForm
from consultations.models import DesignPlan
from smp_clinic.lib.files import private_file_response
from smp_clinic.lib.forms import add_service_error
from smp_clinic.lib.http import client_ip


def _versions(consultation) -> list[DesignPlan]:
    return list(
        consultation.designs.select_related("photo", "approval_witness", "created_by").order_by(
            "-version"
        )
    )


def _version(consultation, version: int) -> DesignPlan:
    plan = consultation.designs.select_related("photo").filter(version=version).first()
    if plan is None:
        raise Http404("No such version")
    return plan


@role_required(*CLINICAL)
def design(request: HttpRequest, consultation_id) -> HttpResponse:
    consultation = selectors.consultation_get_for_user(user=request.user, public_id=consultation_id)
    client = consultation.client
    photos = selectors.design_photos(consultation)
    by_id = {str(photo.public_id): photo for photo in photos}
    versions = _versions(consultation)
    latest = versions[0] if versions else None
    form = DesignForm(request.POST or None, photos=Photo.objects.filter(client=client))
    if request.method == "POST" and form.is_valid():
        try:
            plan = designs.design_save_version(
                consultation=consultation,
                by=request.user,
                photo=form.cleaned_data["photo"],
                design=form.cleaned_data["design"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"Design saved as version {plan.version}.")
            return redirect("consultations:design", consultation_id=consultation.public_id)
    consent_valid = photo_consent_valid(client=client)
    design_refusal = None if consent_valid else designs.PHOTO_CONSENT_NEEDED_FOR_DESIGN
    if design_refusal:
        # Nothing new can be drawn: the editor shows the last version as it was saved, read
        # only, so there is no drawing to lose and no other photo to choose.
        chosen = latest.photo if latest else None
        initial_design = latest.design if latest else None
        unsaved = False
    else:
        wanted = request.POST.get("photo") if form.is_bound else request.GET.get("photo")
        chosen = by_id.get(str(wanted or "")) or (latest.photo if latest else None)
        chosen = chosen or (photos[0] if photos else None)
        # A refused drawing comes back as it was sent, to be corrected rather than redrawn;
        # otherwise the editor starts from the latest version if it was drawn on this photo.
        initial_design = design_as_sent(request.POST.get("design")) if form.is_bound else None
        unsaved = initial_design is not None
        if initial_design is None and latest and chosen and latest.photo_id == chosen.pk:
            initial_design = latest.design
    here = reverse("consultations:design", args=[consultation.public_id])
    return render(
        request,
        "consultations/design.html",
        {
            "consultation": consultation,
            "client": client,
            "form": form,
            "photo": chosen,
            "photos_here": [photo for photo in photos if photo.at_consultation],
            "photos_before": [photo for photo in photos if not photo.at_consultation],
            "versions": versions,
            "in_force": selectors.design_in_force(versions),
            "initial_design": initial_design,
            "drawing_unsaved": unsaved,
            "upload_url": reverse("consultations:photos", args=[consultation.public_id])
            + f"?next={here}",
            "photo_refusal": photo_upload_refusal(client=client, consent_valid=consent_valid),
            "design_refusal": design_refusal,
            "latest": latest,
        },
    )


@role_required(*CLINICAL)
@require_safe
def design_image(request: HttpRequest, consultation_id, version: int) -> HttpResponse:
    consultation = selectors.consultation_get_for_user(user=request.user, public_id=consultation_id)
    plan = _version(consultation, version)
    return private_file_response(
        plan.composite, what="design image", content_type="image/jpeg", max_age=300
    )


@role_required(*CLINICAL)
def design_approve(request: HttpRequest, consultation_id, version: int) -> HttpResponse:
    consultation = selectors.consultation_get_for_user(user=request.user, public_id=consultation_id)
    plan = _version(consultation, version)
    if plan.is_approved:
        messages.info(request, f"Version {plan.version} is already approved.")
        return redirect("consultations:design", consultation_id=consultation.public_id)
    client = consultation.client
    if request.method != "POST":
        # The client checks and signs on the tablet: it shows this page (and the design
        # image) only, until the practitioner takes it back.
        handover.start(
            request,
            paths=[
                request.path,
                reverse("consultations:design_image", args=[consultation.public_id, plan.version]),
            ],
            return_to=reverse("consultations:design", args=[consultation.public_id]),
            client_name=client.preferred_name or client.first_name,
        )
    form = DesignApprovalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            designs.design_approve(
                plan=plan,
                witness=request.user,
                typed_name=form.cleaned_data["typed_name"],
                signature_data_url=form.cleaned_data["signature"],
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"Version {plan.version} is approved by {client.full_name}.")
            return handover.finish(
                request,
                return_to=reverse("consultations:detail", args=[consultation.public_id]),
                client_name=client.preferred_name or client.first_name,
            )
    return render(
        request,
        "consultations/design_approve.html",
        {
            "consultation": consultation,
            "plan": plan,
            "form": form,
            "signature_value": request.POST.get("signature", ""),
            # Approving an older drawing the client prefers is allowed; the page says so.
            "newest_version": consultation.designs.aggregate(top=Max("version"))["top"],
        },
    )
