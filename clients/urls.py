from django.urls import path, register_converter

from clients import views
from clients.consent import views as consent_views
from clients.converters import ConsentKindConverter, PhotoSizeConverter
from clients.intake import views as intake_views
from clients.photos import views as photo_views

app_name = "clients"

register_converter(ConsentKindConverter, "consent_kind")
register_converter(PhotoSizeConverter, "photo_size")

urlpatterns = [
    path("", views.client_list, name="list"),
    path("new/", views.client_create, name="create"),
    # Consent texts (managers).
    path("consent-texts/", consent_views.consent_templates, name="consent_templates"),
    path(
        "consent-texts/<uuid:template_id>/",
        consent_views.consent_template,
        name="consent_template",
    ),
    path(
        "consent-texts/<uuid:template_id>/new-version/",
        consent_views.consent_version_new,
        name="consent_version_new",
    ),
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
    # Signed consents.
    path(
        "<uuid:client_id>/consents/<consent_kind:kind>/sign/",
        consent_views.consent_sign,
        name="consent_sign",
    ),
    path(
        "<uuid:client_id>/consents/<uuid:consent_id>/",
        consent_views.consent_detail,
        name="consent_detail",
    ),
    path(
        "<uuid:client_id>/consents/<uuid:consent_id>/pdf/",
        consent_views.consent_pdf,
        name="consent_pdf",
    ),
    path(
        "<uuid:client_id>/consents/<uuid:consent_id>/signature.png",
        consent_views.consent_signature,
        name="consent_signature",
    ),
    path(
        "<uuid:client_id>/consents/<uuid:consent_id>/withdraw/",
        consent_views.consent_withdraw,
        name="consent_withdraw",
    ),
    # Photos (the tab itself is the "photos" section).
    path("<uuid:client_id>/photos/upload/", photo_views.photo_upload, name="photo_upload"),
    path("<uuid:client_id>/photos/review/", photo_views.photo_review, name="photo_review"),
    path(
        "<uuid:client_id>/photos/<uuid:photo_id>/",
        photo_views.photo_detail,
        name="photo_detail",
    ),
    path(
        "<uuid:client_id>/photos/<uuid:photo_id>/delete/",
        photo_views.photo_delete,
        name="photo_delete",
    ),
    path(
        "<uuid:client_id>/photos/<uuid:photo_id>/<photo_size:size>.jpg",
        photo_views.photo_file,
        name="photo_file",
    ),
    path("<uuid:client_id>/<slug:section>/", views.client_section, name="section"),
]
