from django.urls import path

from sessions_app.views import inventory, log, progress

app_name = "sessions_app"

urlpatterns = [
    path("inventory/", inventory.inventory_home, name="inventory"),
    path("inventory/products/new/", inventory.product_edit, name="product_create"),
    path("inventory/products/<uuid:product_id>/", inventory.product_edit, name="product_edit"),
    path(
        "inventory/products/<uuid:product_id>/receive/", inventory.lot_receive, name="lot_receive"
    ),
    path("inventory/needles/receive/", inventory.needle_receive, name="needle_receive"),
    path("inventory/needles/<uuid:needle_id>/", inventory.needle_edit, name="needle_edit"),
    path("inventory/lots/<uuid:lot_id>/", inventory.lot_detail, name="lot"),
    path("inventory/lots/<uuid:lot_id>/adjust/", inventory.lot_adjust, name="lot_adjust"),
    path("inventory/lots/<uuid:lot_id>/recall/", inventory.lot_recall, name="lot_recall"),
    path(
        "inventory/lots/<uuid:lot_id>/recall.csv", inventory.lot_recall_csv, name="lot_recall_csv"
    ),
]

urlpatterns += [
    path("open/<uuid:appointment_id>/", log.session_open, name="open"),
    path("<uuid:session_id>/", log.session_detail, name="session"),
    path("<uuid:session_id>/start/", log.session_start, name="start"),
    path("<uuid:session_id>/override/", log.session_override, name="override"),
    path("<uuid:session_id>/abandon/", log.session_abandon, name="abandon"),
    path("<uuid:session_id>/passes/", log.pass_add, name="pass_add"),
    path("<uuid:session_id>/passes/<uuid:pass_id>/delete/", log.pass_delete, name="pass_delete"),
    path("<uuid:session_id>/notes/", log.notes_save, name="notes"),
    path("<uuid:session_id>/amend/", log.amend, name="amend"),
    path("<uuid:session_id>/healing/", log.healing_check, name="healing_check"),
    path("<uuid:session_id>/book-next/", log.book_next, name="book_next"),
    path("<uuid:session_id>/photos/", log.photos_add, name="photos_add"),
    path("clients/<uuid:client_id>/progress/", progress.progress, name="progress"),
]
