from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.roles import STAFF
from clients import selectors, services
from clients.consent import selectors as consent_selectors
from clients.forms import ClientFilterForm, ClientForm
from clients.intake import selectors as intake_selectors
from clients.registry import notices_for, overview_panels_for, registry, sections_for


@role_required(*STAFF)
def client_list(request: HttpRequest) -> HttpResponse:
    form = ClientFilterForm(request.GET or None)
    filters = form.filters()
    page = selectors.client_page(user=request.user, page=request.GET.get("page"), **filters)
    context = {
        "filter_form": form,
        "page_obj": page,
        "query": filters["q"],
        "filtered": bool(filters["q"] or filters["extra_filter"] or filters["status"] != "active"),
    }
    template = "clients/client_list.html#results" if request.htmx else "clients/client_list.html"
    return render(request, template, context)


def _save_client_form(request: HttpRequest, form: ClientForm, *, client=None):
    """Validate, warn about likely duplicates once, then save through the service."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    duplicates = selectors.client_possible_duplicates(
        email=data.get("email", ""), phone=data.get("phone") or "", exclude=client
    )
    visible = selectors.clients_visible_to(request.user).filter(pk__in=duplicates.values("pk"))
    if duplicates.exists() and not data.get("confirm_not_duplicate"):
        form.duplicates = {
            "visible": list(visible.select_related("home_location")[:5]),
            "elsewhere": duplicates.count() - visible.count(),
        }
        return None
    if client is None:
        return services.client_create(by=request.user, data=data)
    return services.client_update(client=client, by=request.user, data=data)


@role_required(*STAFF)
def client_create(request: HttpRequest) -> HttpResponse:
    initial = {}
    if request.method == "GET" and request.GET.get("name"):
        first, _, last = request.GET["name"].strip().partition(" ")
        initial = {"first_name": first, "last_name": last}
    form = ClientForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST":
        client = _save_client_form(request, form)
        if client is not None:
            messages.success(request, f"{client.full_name} is added.")
            return redirect("clients:detail", client_id=client.public_id)
    return render(
        request,
        "clients/client_form.html",
        {"form": form, "page_title": "New client", "submit_label": "Save client"},
    )


@role_required(*STAFF)
def client_edit(request: HttpRequest, client_id) -> HttpResponse:
    client = selectors.client_get_for_user(user=request.user, public_id=client_id)
    if client.is_erased:
        messages.error(request, "This client was erased on request; the record cannot be edited.")
        return redirect("clients:detail", client_id=client.public_id)
    form = ClientForm(request.POST or None, instance=client, user=request.user)
    if request.method == "POST":
        saved = _save_client_form(request, form, client=client)
        if saved is not None:
            messages.success(request, "Changes saved.")
            return redirect("clients:detail", client_id=client.public_id)
    return render(
        request,
        "clients/client_form.html",
        {
            "form": form,
            "client": client,
            "page_title": f"Edit {client.full_name}",
            "submit_label": "Save changes",
        },
    )


def _client_page(request: HttpRequest, client, active: str, section_context: dict) -> HttpResponse:
    context = {
        "client": client,
        "sections": sections_for(request.user.role),
        "active_section": active,
        **section_context,
    }
    if request.htmx and request.htmx.target == "client-section":
        return render(request, "clients/client_detail.html#section", context)
    # The banner and the consent line sit above the tabs, so a tab swapped in by htmx does
    # not need them.
    context.update(intake_selectors.client_flag_banner(client=client, user=request.user))
    context["consent_states"] = list(
        consent_selectors.client_consent_status(client=client).values()
    )
    context["notices"] = notices_for(client, request.user)
    return render(request, "clients/client_detail.html", context)


@role_required(*STAFF)
def client_detail(request: HttpRequest, client_id) -> HttpResponse:
    client = selectors.client_get_for_user(user=request.user, public_id=client_id)
    return _client_page(
        request,
        client,
        "overview",
        {
            "section_template": "clients/sections/overview.html",
            "overview_panels": overview_panels_for(client, request.user),
        },
    )


@role_required(*STAFF)
def client_section(request: HttpRequest, client_id, section: str) -> HttpResponse:
    client = selectors.client_get_for_user(user=request.user, public_id=client_id)
    entry = registry.sections.get(section)
    if entry is None:
        raise Http404("No such section")
    if request.user.role not in entry.roles:
        raise PermissionDenied("This part of the client record is not open to your role.")
    extra = {"query": request.GET} if entry.uses_query else {}
    section_context = entry.context(client=client, user=request.user, **extra)
    return _client_page(
        request, client, section, {"section_template": entry.template, **section_context}
    )


@role_required(*STAFF)
def client_archive(request: HttpRequest, client_id) -> HttpResponse:
    client = selectors.client_get_for_user(user=request.user, public_id=client_id)
    blockers = [message for check in registry.archive_checks for message in check(client)]
    if request.method == "POST" and not blockers:
        services.client_archive(client=client, by=request.user)
        messages.success(request, f"{client.full_name} is archived. Their records are kept.")
        return redirect("clients:detail", client_id=client.public_id)
    return render(request, "clients/client_archive.html", {"client": client, "blockers": blockers})


@role_required(*STAFF)
@require_POST
def client_restore(request: HttpRequest, client_id) -> HttpResponse:
    client = selectors.client_get_for_user(user=request.user, public_id=client_id)
    try:
        services.client_restore(client=client, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{client.full_name} is active again.")
    return redirect("clients:detail", client_id=client.public_id)
