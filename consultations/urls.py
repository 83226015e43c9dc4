from django.urls import path

from consultations import design_views, views

app_name = "consultations"

urlpatterns = [
    path("start/<uuid:client_id>/", views.consultation_start, name="start"),
    path("<uuid:consultation_id>/", views.consultation_detail, name="detail"),
    path("<uuid:consultation_id>/photos/", views.consultation_photos, name="photos"),
    path("<uuid:consultation_id>/acknowledge/", views.consultation_acknowledge, name="acknowledge"),
    path("<uuid:consultation_id>/plan/", views.plan_edit, name="plan"),
    path("<uuid:consultation_id>/plan/book/", views.plan_book, name="plan_book"),
    path("<uuid:consultation_id>/design/", design_views.design, name="design"),
    path(
        "<uuid:consultation_id>/design/v<int:version>.jpg",
        design_views.design_image,
        name="design_image",
    ),
    path(
        "<uuid:consultation_id>/design/v<int:version>/approve/",
        design_views.design_approve,
        name="design_approve",
    ),
]
