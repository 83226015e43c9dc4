from django.urls import path

from consultations import views

app_name = "consultations"

urlpatterns = [
    path("start/<uuid:client_id>/", views.consultation_start, name="start"),
    path("<uuid:consultation_id>/", views.consultation_detail, name="detail"),
    path("<uuid:consultation_id>/acknowledge/", views.consultation_acknowledge, name="acknowledge"),
    path("<uuid:consultation_id>/plan/", views.plan_edit, name="plan"),
    path("<uuid:consultation_id>/plan/book/", views.plan_book, name="plan_book"),
]
