"""A page hosting the design editor, for tests only: the project's URLconf never includes it.

It sends a strict Content-Security-Policy (no inline script, no inline style), so the
browser tests prove the editor works under the policy the clinic will deploy. The photo
comes from the file named by the DESIGN_EDITOR_TEST_PHOTO setting, and the initial design
from DESIGN_EDITOR_TEST_INITIAL (none: a new, empty design).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.template import engines
from django.urls import path, reverse

from consultations.design import parse_design_json
from smp_clinic.urls import urlpatterns as project_urlpatterns

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

PAGE = engines["django"].from_string(
    '{% extends "base.html" %}{% block title %}Design editor{% endblock %}{% block content %}'
    '{% if saved %}<p class="alert alert-success" data-testid="saved">{{ saved }}</p>{% endif %}'
    '{% if error %}<p class="alert alert-danger" data-testid="design-error">{{ error }}</p>'
    "{% endif %}"
    '<form method="post" id="design-form">{% csrf_token %}'
    '{% include "consultations/includes/design_editor.html"'
    ' with photo_url=photo_url design=design input_name="design" %}'
    '<button type="submit" class="btn btn-primary">Save design</button></form>'
    "{% endblock %}"
)


def editor_page(request: HttpRequest) -> HttpResponse:
    design = getattr(settings, "DESIGN_EDITOR_TEST_INITIAL", None)
    saved = error = None
    if request.method == "POST":
        try:
            checked = parse_design_json(request.POST.get("design", ""))
        except ValidationError as invalid:
            error = invalid.messages[0]
        else:
            design = checked.to_dict()
            saved = (
                f"Saved (hairline points: {len(checked.hairline.points)}, "
                f"temple points: {len(checked.temples)}, zones: {len(checked.zones)})."
            )
    context = {
        "design": design,
        "saved": saved,
        "error": error,
        "photo_url": reverse("design_editor_test_photo"),
    }
    response = HttpResponse(PAGE.render(context, request))
    response["Content-Security-Policy"] = CSP
    return response


def photo(request: HttpRequest) -> FileResponse:
    return FileResponse(open(settings.DESIGN_EDITOR_TEST_PHOTO, "rb"), content_type="image/png")


urlpatterns = [
    path("design-editor/", editor_page, name="design_editor_test"),
    path("design-editor/photo.png", photo, name="design_editor_test_photo"),
    *project_urlpatterns,
]
