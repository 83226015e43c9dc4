from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("clients/<uuid:client_id>/export/", views.export, name="export"),
    path("clients/<uuid:client_id>/erase/", views.erase, name="erase"),
]
