from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("dashboard.urls")),
    path("accounts/", include("accounts.urls")),
    path("clients/", include("clients.urls")),
    path("calendar/", include("scheduling.urls")),
    path("consultations/", include("consultations.urls")),
    path("sessions/", include("sessions_app.urls")),
    path("audit/", include("audit.urls")),
    path("privacy/", include("privacy.urls")),
    path("messages/", include("aftercare.urls")),
    path("ops/admin/", admin.site.urls),
]
