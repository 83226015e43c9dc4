from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import role_required
from accounts.roles import CLINICAL
from clients.selectors import client_get_for_user
from sessions_app import selectors


@role_required(*CLINICAL)
def progress(request: HttpRequest, client_id) -> HttpResponse:
    client = client_get_for_user(user=request.user, public_id=client_id)
    return render(
        request,
        "sessions_app/progress.html",
        {
            "client": client,
            "ladder": selectors.shade_ladder(client=client),
        },
    )
