"""Photo pages, for practitioners and managers only: the front desk gets 403 on every one
of them and never sees a thumbnail. Every photo is reached through its client, fetched with
``client_get_for_user`` (so location scoping applies)."""

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from accounts.access import role_required
from accounts.roles import CLINICAL, MANAGERS
from clients import selectors as client_selectors
from clients.models import Client, Photo
from clients.photos import selectors, services
from clients.photos.forms import PhotoDetailsForm, PhotoReviewFormSet, PhotoUploadForm
from smp_clinic.lib.files import open_stored, private
from smp_clinic.lib.forms import add_service_error
from smp_clinic.lib.urls import safe_next

# A served photo may sit in the browser's private cache for a few minutes (scrolling back
# through a grid), never in a shared one.
FILE_MAX_AGE = 300


def _client(request: HttpRequest, client_id) -> Client:
    return client_selectors.client_get_for_user(user=request.user, public_id=client_id)


def _section_url(client: Client) -> str:
    return reverse("clients:section", args=[client.public_id, "photos"])


def _photo_url(photo: Photo) -> str:
    return reverse("clients:photo_detail", args=[photo.client.public_id, photo.public_id])


def upload_reported(request: HttpRequest, form, *, saved: list, refused: list[str]) -> bool:
    """Tell what an upload of several files kept: with something saved, as messages for the
    next page (True: the caller redirects); with nothing saved, as errors on the files field
    of the form shown again (False)."""
    if not saved:
        for problem in refused:
            form.add_error("files", problem)
        return False
    count = len(saved)
    messages.success(request, f"{count} photo{'s' if count != 1 else ''} saved.")
    for problem in refused:
        messages.error(request, f"Not saved: {problem}")
    return True


@role_required(*CLINICAL)
def photo_upload(request: HttpRequest, client_id) -> HttpResponse:
    """Several photos in one go, from the camera or from files, with a default angle and
    kind; the next page sets each photo's own. A refused file is reported by name and the
    others are kept."""
    client = _client(request, client_id)
    refusal = selectors.photo_upload_refusal(client=client)
    form = PhotoUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and refusal is None and form.is_valid():
        data = form.cleaned_data
        saved, refused = services.photo_upload_each(
            client=client,
            by=request.user,
            files=data["files"],
            angle=data["angle"],
            kind=data["kind"],
            taken_at=data["taken_at"],
            note=data["note"],
        )
        if upload_reported(request, form, saved=saved, refused=refused):
            pairs = [("photo", photo.public_id) for photo in saved]
            if safe_next(request):
                pairs.append(("next", safe_next(request)))
            query = urlencode(pairs)
            return redirect(f"{reverse('clients:photo_review', args=[client.public_id])}?{query}")
    return render(
        request,
        "clients/photos/upload.html",
        {
            "client": client,
            "form": form,
            "refusal": refusal,
            "section_url": safe_next(request, _section_url(client)),
            "next": safe_next(request),
            "sign_url": reverse("clients:consent_sign", args=[client.public_id, "photos"]),
        },
    )


@role_required(*CLINICAL)
def photo_review(request: HttpRequest, client_id) -> HttpResponse:
    """The photos just uploaded, each with its own angle, kind and note."""
    client = _client(request, client_id)
    # The photos travel in the query string (the form posts back to the same URL).
    photos = selectors.photos_by_public_ids(
        client=client, public_ids=_uuids(request.GET.getlist("photo"))
    )
    if not photos:
        return redirect(_section_url(client))
    initial = [
        {
            "photo": photo.public_id,
            "angle": photo.angle,
            "kind": photo.kind,
            "taken_at": timezone.localtime(photo.taken_at),
            "note": photo.note,
        }
        for photo in photos
    ]
    formset = PhotoReviewFormSet(request.POST or None, initial=initial)
    if formset.is_bound and formset.total_form_count() != len(photos):
        # A form that no longer matches its photos (one deleted meanwhile): start afresh.
        messages.info(request, "The list of photos changed: check their details again.")
        formset = PhotoReviewFormSet(initial=initial)
    if formset.is_bound and formset.is_valid():
        by_id = {photo.public_id: photo for photo in photos}
        failed = False
        for form in formset:
            photo = by_id.get(form.cleaned_data.get("photo"))
            if photo is None:
                continue
            try:
                services.photo_update(
                    photo=photo,
                    by=request.user,
                    angle=form.cleaned_data["angle"],
                    kind=form.cleaned_data["kind"],
                    taken_at=form.cleaned_data["taken_at"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                add_service_error(form, error)
                failed = True
        if not failed:
            messages.success(request, "The photos' details are saved.")
            return redirect(safe_next(request, _section_url(client)))
    return render(
        request,
        "clients/photos/review.html",
        {
            "client": client,
            "rows": list(zip(photos, formset.forms, strict=True)),
            "formset": formset,
            "section_url": _section_url(client),
        },
    )


def _uuids(values: list[str]) -> list[str]:
    valid = []
    for value in values:
        try:
            valid.append(str(uuid.UUID(value)))
        except ValueError:
            continue
    return valid


@role_required(*CLINICAL)
def photo_detail(request: HttpRequest, client_id, photo_id) -> HttpResponse:
    client = _client(request, client_id)
    photo = selectors.photo_get_for_client(client=client, public_id=photo_id)
    initial = {
        "angle": photo.angle,
        "kind": photo.kind,
        "taken_at": timezone.localtime(photo.taken_at),
        "note": photo.note,
    }
    form = PhotoDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.photo_update(photo=photo, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Photo details saved.")
            return redirect(_photo_url(photo))
    return render(
        request,
        "clients/photos/detail.html",
        {"client": client, "photo": photo, "form": form, "section_url": _section_url(client)},
    )


@role_required(*MANAGERS)
def photo_delete(request: HttpRequest, client_id, photo_id) -> HttpResponse:
    """A confirmation page, then the deletion (POST)."""
    client = _client(request, client_id)
    photo = selectors.photo_get_for_client(client=client, public_id=photo_id)
    problem = None
    if request.method == "POST":
        try:
            services.photo_delete(photo=photo, by=request.user)
        except ValidationError as error:
            problem = " ".join(error.messages)
        else:
            messages.success(request, "The photo is deleted.")
            return redirect(_section_url(client))
    return render(
        request,
        "clients/photos/delete.html",
        {"client": client, "photo": photo, "problem": problem, "photo_url": _photo_url(photo)},
    )


@role_required(*CLINICAL)
@require_safe
def photo_file(request: HttpRequest, client_id, photo_id, size: str) -> HttpResponse:
    """The image itself (``small``, ``large`` or ``full``), only ever through this view."""
    client = _client(request, client_id)
    photo = selectors.photo_get_for_client(client=client, public_id=photo_id)
    stored = {"small": photo.image_small, "large": photo.image_large, "full": photo.image}[size]
    # The pixels never change once stored, so the hash and upload time identify each file.
    etag = f'"{photo.sha256[:40]}-{size}"'
    last_modified = int(photo.created_at.timestamp())
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        response = FileResponse(open_stored(stored, what="photo file"), content_type="image/jpeg")
        if size == "full":
            taken = timezone.localtime(photo.taken_at, client.home_location.tz)
            name = f"photo-{photo.angle}-{photo.kind}-{taken:%Y-%m-%d-%H%M}.jpg"
            response["Content-Disposition"] = f'inline; filename="{name}"'
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    return private(response, max_age=FILE_MAX_AGE)
