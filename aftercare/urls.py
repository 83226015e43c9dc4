from django.urls import path

from aftercare.views import manage, public, staff

app_name = "aftercare"

urlpatterns = [
    path("", staff.outbox, name="outbox"),
    path("<uuid:message_id>/", staff.message_detail, name="message"),
    path("<uuid:message_id>/cancel/", staff.message_cancel, name="message_cancel"),
    path("<uuid:message_id>/resend/", staff.message_resend, name="message_resend"),
    path("templates/", manage.template_list, name="templates"),
    path("templates/<slug:message_kind>/", manage.template_edit, name="template_edit"),
    path(
        "templates/<slug:message_kind>/preview/", manage.template_preview, name="template_preview"
    ),
    path(
        "templates/<slug:message_kind>/preview/frame/",
        manage.template_preview_frame,
        name="template_preview_frame",
    ),
    path("timings/", manage.message_settings, name="settings"),
    path("aftercare-plan/", manage.plan, name="plan"),
    path("aftercare-plan/steps/new/", manage.step_edit, name="step_create"),
    path("aftercare-plan/steps/<uuid:step_id>/", manage.step_edit, name="step_edit"),
    path("aftercare-plan/steps/<uuid:step_id>/delete/", manage.step_delete, name="step_delete"),
    # Signed links for clients: no login.
    path("unsubscribe/<str:unsubscribe_token>/", public.unsubscribe, name="unsubscribe"),
    path("preferences/<str:preferences_token>/", public.preferences, name="preferences"),
    path("healing/<str:healing_token>/", public.healing_upload, name="healing_upload"),
]
