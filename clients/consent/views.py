"""Consent pages: signing on the tablet, the printable record and its PDF, withdrawal, and
the managers' consent texts. Signed consents are reached through their client, itself
fetched with ``client_get_for_user``, so location scoping applies to all of them.

Who sees a signed consent: every staff role may open the printable view, the PDF and the
signature image. A signed consent holds the clinic's standard wording, the client's name,
signature and the signing details; no health information. Giving the client a copy of what
they signed is a reception task, and the front desk often witnesses the signature in the
first place. Recording a withdrawal stays with practitioners and managers, who discuss its
consequences for the treatment with the client.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from accounts import handover
from accounts.access import role_required
from accounts.roles import CLINICAL, MANAGERS, STAFF
from clients import selectors as client_selectors
from clients.consent import selectors, services
from clients.consent.forms import ConsentSignForm, ConsentVersionForm, ConsentWithdrawForm
from clients.consent.pdf import signed_consent_pdf
from clients.models import Client
from smp_clinic.lib.files import private, private_file_response
from smp_clinic.lib.forms import add_service_error
from smp_clinic.lib.http import client_ip
from smp_clinic.lib.urls import safe_next


def _client(request: HttpRequest, client_id) -> Client:
    return client_selectors.client_get_for_user(user=request.user, public_id=client_id)


def _section_url(client: Client) -> str:
    return reverse("clients:section", args=[client.public_id, "consents"])


@role_required(*STAFF)
def consent_sign(request: HttpRequest, client_id, kind: str) -> HttpResponse:
    client = _client(request, client_id)
    version = selectors.latest_version(kind=kind)
    if version is None:
        raise Http404("This consent has no text to sign yet.")
    state = selectors.client_consent_status(client=client)[kind]
    back = safe_next(request, _section_url(client))
    if request.method != "POST":
        # The client signs on the tablet: from here until a staff member takes it back, it
        # shows this form only.
        handover.start(
            request,
            paths=[request.path],
            return_to=back,
            client_name=client.preferred_name or client.first_name,
        )
    form = ConsentSignForm(request.POST or None, initial={"version": version.public_id})
    text_changed = False
    if request.method == "POST" and not client.is_archived and form.is_valid():
        read = selectors.version_get(kind=kind, public_id=form.cleaned_data["version"])
        try:
            if read is None:
                raise ValidationError(services.TEXT_CHANGED, code="text_changed")
            consent = services.consent_sign(
                client=client,
                version=read,
                typed_name=form.cleaned_data["typed_name"],
                signature_data_url=form.cleaned_data["signature"],
                witness=request.user,
                ip_address=client_ip(request),
                user_agent=request.headers.get("User-Agent", ""),
            )
        except ValidationError as error:
            text_changed = getattr(error, "code", None) == "text_changed"
            add_service_error(form, error)
        else:
            first = client.preferred_name or client.first_name
            messages.success(
                request,
                f"{client.full_name} signed “{read.template.title}”.",
            )
            return handover.finish(
                request,
                return_to=safe_next(
                    request,
                    reverse("clients:consent_detail", args=[client.public_id, consent.public_id]),
                ),
                client_name=first,
            )
    return render(
        request,
        "clients/consent/sign.html",
        {
            "client": client,
            "version": version,
            "state": state,
            "form": form,
            # A good signature survives a mistake elsewhere on the form (the typed name), so
            # the client does not sign twice; after a text change they read and sign anew.
            "signature_value": (
                "" if text_changed or form["signature"].errors else form.data.get("signature", "")
            ),
            "next": safe_next(request, ""),
            "section_url": _section_url(client),
        },
    )


@role_required(*STAFF)
def consent_detail(request: HttpRequest, client_id, consent_id) -> HttpResponse:
    client = _client(request, client_id)
    consent = selectors.consent_get_for_client(client=client, public_id=consent_id)
    is_current = selectors.consent_is_current(consent)
    return render(
        request,
        "clients/consent/detail.html",
        {
            "client": client,
            "consent": consent,
            "is_current": is_current,
            "can_withdraw": is_current and not consent.is_withdrawn and request.user.sees_clinical,
            "zone": client.home_location.time_zone,
            "section_url": _section_url(client),
        },
    )


@role_required(*STAFF)
def consent_pdf(request: HttpRequest, client_id, consent_id) -> HttpResponse:
    client = _client(request, client_id)
    consent = selectors.consent_get_for_client(client=client, public_id=consent_id)
    signed_on = timezone.localtime(consent.signed_at, client.home_location.tz).date()
    name = f"consent-{consent.kind}-{slugify(client.full_name) or 'client'}-{signed_on}.pdf"
    response = HttpResponse(signed_consent_pdf(consent), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return private(response)


@role_required(*STAFF)
def consent_signature(request: HttpRequest, client_id, consent_id) -> HttpResponse:
    client = _client(request, client_id)
    consent = selectors.consent_get_for_client(client=client, public_id=consent_id)
    # The image of a signed consent never changes, so the browser may keep it a while.
    return private_file_response(
        consent.signature, what="signature image", content_type="image/png", max_age=300
    )


@role_required(*CLINICAL)
def consent_withdraw(request: HttpRequest, client_id, consent_id) -> HttpResponse:
    client = _client(request, client_id)
    consent = selectors.consent_get_for_client(client=client, public_id=consent_id)
    detail_url = reverse("clients:consent_detail", args=[client.public_id, consent.public_id])
    form = ConsentWithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_withdraw(
                consent=consent, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                f"The withdrawal of the {consent.version.template.title.lower()} is recorded.",
            )
            return redirect(detail_url)
    return render(
        request,
        "clients/consent/withdraw.html",
        {
            "client": client,
            "consent": consent,
            "form": form,
            "is_current": selectors.consent_is_current(consent),
            "detail_url": detail_url,
        },
    )


@role_required(*MANAGERS)
def consent_templates(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "clients/consent/templates.html",
        {"templates": selectors.consent_templates()},
    )


@role_required(*MANAGERS)
def consent_template(request: HttpRequest, template_id) -> HttpResponse:
    template = selectors.template_get(public_id=template_id)
    versions = selectors.template_versions(template=template)
    return render(
        request,
        "clients/consent/template_detail.html",
        {"template": template, "versions": versions, "current": versions[0] if versions else None},
    )


@role_required(*MANAGERS)
def consent_version_new(request: HttpRequest, template_id) -> HttpResponse:
    """Write the next version: "Preview" shows it as clients will read it, "Publish" makes
    it the text offered from now on. Both work without JavaScript."""
    template = selectors.template_get(public_id=template_id)
    current = selectors.latest_version(kind=template.kind)
    initial = {
        "based_on": current.number if current else 0,
        "body": current.body if current else "",
    }
    form = ConsentVersionForm(request.POST or None, initial=initial)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if "publish" in request.POST:
            try:
                version = services.consent_version_publish(
                    template=template,
                    by=request.user,
                    body=data["body"],
                    change_note=data["change_note"],
                    based_on=data["based_on"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    f"Version {version.number} of “{template.title}” is published: clients "
                    "signing from now on see this text.",
                )
                return redirect("clients:consent_template", template.public_id)
        else:
            preview = data["body"]
    return render(
        request,
        "clients/consent/version_form.html",
        {"template": template, "current": current, "form": form, "preview": preview},
    )
