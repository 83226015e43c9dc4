from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.access import role_required
from accounts.roles import MANAGERS
from clients.selectors import client_get_for_user
from privacy.erasure import client_erase, erasure_blockers, record_export
from privacy.export import client_export_zip
from smp_clinic.lib.files import private
from smp_clinic.lib.forms import add_service_error


class ErasureForm(forms.Form):
    confirmation = forms.CharField(label="Type the client's full name to confirm", max_length=200)


@role_required(*MANAGERS)
def export(request: HttpRequest, client_id) -> HttpResponse:
    """GET explains; POST builds the ZIP (a download is not something a link prefetch or a
    crawler should trigger), and the export is audit-logged."""
    client = client_get_for_user(user=request.user, public_id=client_id)
    if request.method != "POST":
        return render(request, "privacy/export.html", {"client": client})
    archive = client_export_zip(client=client)
    record_export(client=client, by=request.user)
    stamp = timezone.localtime().strftime("%Y%m%d")
    return private(
        FileResponse(
            archive,
            as_attachment=True,
            filename=f"client-{str(client.public_id)[:8]}-{stamp}.zip",
            content_type="application/zip",
        )
    )


@role_required(*MANAGERS)
def erase(request: HttpRequest, client_id) -> HttpResponse:
    client = client_get_for_user(user=request.user, public_id=client_id)
    form = ErasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client_erase(
                client=client, by=request.user, confirmation=form.cleaned_data["confirmation"]
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, "The client's personal details, photos and signatures are erased."
            )
            return redirect("clients:detail", client_id=client.public_id)
    return render(
        request,
        "privacy/erase.html",
        {
            "client": client,
            "form": form,
            "blockers": erasure_blockers(client),
        },
    )
