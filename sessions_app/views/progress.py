from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import role_required
from accounts.roles import CLINICAL
from clients.selectors import client_get_for_user
from consultations.design.overlay import design_overlay
from consultations.selectors import design_to_show
from sessions_app import selectors


@role_required(*CLINICAL)
def progress(request: HttpRequest, client_id) -> HttpResponse:
    """Baseline and each session's photos side by side by angle, the design to overlay, and
    the shade and dilution ladder."""
    client = client_get_for_user(user=request.user, public_id=client_id)
    columns, rows = selectors.progress_grid(client=client)
    design = design_to_show(client=client)
    overlay = design_overlay(design.design) if design is not None else None
    return render(
        request,
        "sessions_app/progress.html",
        {
            "client": client,
            "ladder": selectors.shade_ladder(client=client),
            "columns": columns,
            "rows": rows,
            "design": design,
            "overlay": overlay,
            # Drawn over photos of the angle it was drawn on (front, unless that photo went).
            "overlay_angle": design.photo.angle if design and design.photo else "front",
        },
    )
