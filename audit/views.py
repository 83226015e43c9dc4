from django import forms
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.access import role_required
from accounts.models import User
from accounts.roles import MANAGERS
from accounts.selectors import staff_visible_to
from audit.models import AuditEvent
from clients.selectors import client_search, clients_visible_to
from smp_clinic.lib.forms import CalendarDateField
from smp_clinic.lib.tz import day_bounds

PAGE_SIZE = 50


class TrailFilterForm(forms.Form):
    client = forms.CharField(
        label="Client",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "Name or email"}),
    )
    # The client page's "Audit trail" link: by public id, so it also finds an erased client,
    # whose name and search text are gone.
    client_id = forms.UUIDField(required=False, widget=forms.HiddenInput)
    actor = forms.ModelChoiceField(
        label="Staff member",
        queryset=User.objects.order_by("full_name"),
        required=False,
        to_field_name="public_id",
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    action = forms.ChoiceField(
        label="Action",
        required=False,
        choices=[("", "Any"), *AuditEvent.Action.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    date_from = CalendarDateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = CalendarDateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = staff_visible_to(user).order_by("full_name")


def events_visible_to(user: User):
    """A manager of some locations sees what happened to their clients and what their
    staff did elsewhere in the system; a manager of all locations sees everything."""
    events = AuditEvent.objects.all()
    if user.all_locations:
        return events
    return events.filter(
        Q(client_public_id__in=clients_visible_to(user).values("public_id"))
        | Q(client_public_id__isnull=True, actor__in=staff_visible_to(user))
    )


@role_required(*MANAGERS)
def trail(request: HttpRequest) -> HttpResponse:
    form = TrailFilterForm(request.GET or None, user=request.user)
    events = events_visible_to(request.user)
    record = None
    if "client_id" in form.errors:
        events = events.none()
    if form.is_valid():
        data = form.cleaned_data
        if data["client_id"]:
            events = events.filter(client_public_id=data["client_id"])
            record = clients_visible_to(request.user).filter(public_id=data["client_id"]).first()
        if data["client"]:
            # Any status: the trail is also read for archived and erased clients.
            matches = client_search(user=request.user, q=data["client"], status="")
            events = events.filter(client_public_id__in=matches.order_by().values("public_id"))
        if data["actor"]:
            events = events.filter(actor=data["actor"])
        if data["action"]:
            events = events.filter(action=data["action"])
        tz = timezone.get_current_timezone()
        if data["date_from"]:
            events = events.filter(at__gte=day_bounds(data["date_from"], tz)[0])
        if data["date_to"]:
            events = events.filter(at__lt=day_bounds(data["date_to"], tz)[1])
    page = Paginator(events.order_by("-at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    names = {
        public_id: f"{first} {last}"
        for public_id, first, last in clients_visible_to(request.user)
        .filter(public_id__in={e.client_public_id for e in page if e.client_public_id})
        .values_list("public_id", "first_name", "last_name")
    }
    return render(
        request,
        "audit/trail.html",
        {"form": form, "page_obj": page, "client_names": names, "record": record},
    )
