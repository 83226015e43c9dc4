from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.today, name="today"),
    path("healthz", views.healthz, name="healthz"),
    path("ping", views.ping, name="ping"),
]
