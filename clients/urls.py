from django.urls import path

from clients import views
from clients.intake import views as intake_views

app_name = "clients"

urlpatterns = [
    path("", views.client_list, name="list"),
    path("new/", views.client_create, name="create"),
    path("<uuid:client_id>/", views.client_detail, name="detail"),
    path("<uuid:client_id>/edit/", views.client_edit, name="edit"),
    path("<uuid:client_id>/archive/", views.client_archive, name="archive"),
    path("<uuid:client_id>/restore/", views.client_restore, name="restore"),
    # Medical intake (before the section pattern, which would take "intake" as a section).
    path("<uuid:client_id>/intake/new/", intake_views.intake_new, name="intake_new"),
    path(
        "<uuid:client_id>/intake/<uuid:intake_id>/",
        intake_views.intake_detail,
        name="intake_detail",
    ),
    path(
        "<uuid:client_id>/intake/<uuid:intake_id>/review/",
        intake_views.intake_review,
        name="intake_review",
    ),
    path(
        "<uuid:client_id>/flags/<uuid:flag_id>/clear/",
        intake_views.flag_clear,
        name="flag_clear",
    ),
    path(
        "<uuid:client_id>/flags/<uuid:flag_id>/carry-forward/",
        intake_views.flag_carry_forward,
        name="flag_carry_forward",
    ),
    path(
        "<uuid:client_id>/clearances/<uuid:clearance_id>/document/",
        intake_views.clearance_document,
        name="clearance_document",
    ),
    path("<uuid:client_id>/<slug:section>/", views.client_section, name="section"),
]
