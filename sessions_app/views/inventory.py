from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.text import slugify

from accounts.access import role_required
from accounts.roles import MANAGERS
from sessions_app import inventory
from sessions_app.forms import (
    LotReceiveForm,
    NeedleForm,
    NeedleReceiveForm,
    ProductForm,
    RecallForm,
    StockAdjustForm,
)
from sessions_app.models import Needle, PigmentLot, PigmentProduct
from smp_clinic.lib.forms import add_service_error


@role_required(*MANAGERS)
def inventory_home(request: HttpRequest) -> HttpResponse:
    products = PigmentProduct.objects.prefetch_related("lots").order_by("brand", "name", "shade")
    today = inventory.clinic_today()[0]
    low_products, low_needles = inventory.low_stock(today=today)
    return render(
        request,
        "sessions_app/inventory.html",
        {
            "products": products,
            "needles": Needle.objects.order_by("configuration", "diameter_mm", "expiry_date"),
            "low_products": low_products,
            "low_needles": low_needles,
            "today": today,
        },
    )


@role_required(*MANAGERS)
def product_edit(request: HttpRequest, product_id=None) -> HttpResponse:
    product = get_object_or_404(PigmentProduct, public_id=product_id) if product_id else None
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        try:
            inventory.product_save(product=product, data=form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Product saved.")
            return redirect("sessions_app:inventory")
    return render(
        request,
        "sessions_app/simple_form.html",
        {
            "form": form,
            "page_title": str(product) if product else "New pigment product",
            "submit_label": "Save product",
        },
    )


@role_required(*MANAGERS)
def lot_receive(request: HttpRequest, product_id) -> HttpResponse:
    product = get_object_or_404(PigmentProduct, public_id=product_id)
    form = LotReceiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lot = inventory.lot_receive(
                product=product,
                lot_number=data["lot_number"],
                expiry_date=data["expiry_date"],
                volume_ml=data["volume_ml"],
                received_on=data["received_on"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"Lot {lot.lot_number} is in stock.")
            return redirect("sessions_app:inventory")
    return render(
        request,
        "sessions_app/simple_form.html",
        {
            "form": form,
            "page_title": f"Receive a lot of {product}",
            "submit_label": "Add to stock",
        },
    )


@role_required(*MANAGERS)
def needle_receive(request: HttpRequest) -> HttpResponse:
    form = NeedleReceiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            needle = inventory.needle_receive(**form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"{needle.quantity_received} × {needle.label} added.")
            return redirect("sessions_app:inventory")
    return render(
        request,
        "sessions_app/simple_form.html",
        {
            "form": form,
            "page_title": "Receive needle cartridges",
            "submit_label": "Add to stock",
        },
    )


@role_required(*MANAGERS)
def needle_edit(request: HttpRequest, needle_id) -> HttpResponse:
    needle = get_object_or_404(Needle, public_id=needle_id)
    form = NeedleForm(request.POST or None, instance=needle)
    if request.method == "POST" and form.is_valid():
        inventory.needle_save(needle=needle, **form.cleaned_data)
        messages.success(
            request, f"{needle.label} ({needle.brand}, lot {needle.lot_number}) saved."
        )
        return redirect("sessions_app:inventory")
    return render(
        request,
        "sessions_app/simple_form.html",
        {
            "form": form,
            "page_title": f"{needle.label} · {needle.brand} lot {needle.lot_number}",
            "submit_label": "Save needle",
        },
    )


@role_required(*MANAGERS)
def lot_detail(request: HttpRequest, lot_id) -> HttpResponse:
    lot = get_object_or_404(
        PigmentLot.objects.select_related("product", "recalled_by"), public_id=lot_id
    )
    adjustments = list(lot.adjustments.select_related("by"))
    rows, elsewhere = inventory.recall_rows_for(
        user=request.user, rows=inventory.recall_report(lot=lot)
    )
    return render(
        request,
        "sessions_app/lot_detail.html",
        {
            "lot": lot,
            "adjustments": adjustments,
            "rows": rows,
            "elsewhere": elsewhere,
            "recall_form": RecallForm(),
            "today": inventory.clinic_today()[0],
        },
    )


@role_required(*MANAGERS)
def lot_adjust(request: HttpRequest, lot_id) -> HttpResponse:
    lot = get_object_or_404(PigmentLot.objects.select_related("product"), public_id=lot_id)
    form = StockAdjustForm(request.POST or None, initial={"seen_ml": lot.volume_remaining_ml})
    if request.method == "POST" and form.is_valid():
        try:
            adjustment = inventory.lot_adjust_stock(lot=lot, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            if getattr(error, "code", None) == inventory.STOCK_CHANGED:
                # Shown again with the stock as it is now, against which a resend counts.
                lot.refresh_from_db()
                data = request.POST.copy()
                data["seen_ml"] = str(lot.volume_remaining_ml)
                form = StockAdjustForm(data)
                form.is_valid()
            add_service_error(form, error)
        else:
            messages.success(
                request,
                f"Stock of lot {lot.lot_number} corrected: {adjustment.before_ml} → "
                f"{adjustment.after_ml} ml.",
            )
            return redirect("sessions_app:lot", lot_id=lot.public_id)
    return render(
        request,
        "sessions_app/simple_form.html",
        {
            "form": form,
            "page_title": f"Correct the stock of lot {lot.lot_number}",
            "intro": (
                f"{lot.product} · lot {lot.lot_number}: {lot.volume_remaining_ml} of "
                f"{lot.volume_received_ml} ml on record. The correction is kept with your "
                "name and reason."
            ),
            "submit_label": "Correct the stock",
            "cancel_url": reverse("sessions_app:lot", args=[lot.public_id]),
        },
    )


@role_required(*MANAGERS)
def lot_recall(request: HttpRequest, lot_id) -> HttpResponse:
    lot = get_object_or_404(PigmentLot.objects.select_related("product"), public_id=lot_id)
    form = RecallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            inventory.lot_recall(lot=lot, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_error(form, error)
        else:
            rows, elsewhere = inventory.recall_rows_for(
                user=request.user, rows=inventory.recall_report(lot=lot)
            )
            messages.warning(request, _recalled_message(lot, rows, elsewhere))
            return redirect("sessions_app:lot", lot_id=lot.public_id)
    return render(request, "sessions_app/lot_recall.html", {"lot": lot, "form": form})


def _recalled_message(lot: PigmentLot, rows: list, elsewhere: int) -> str:
    """Counts what the lot's page lists for this manager (their locations) and, like the
    page, how many sessions elsewhere are for a manager of every location."""
    count = len({row.client_id for row in rows})
    where = " at your locations" if elsewhere else ""
    text = (
        f"Lot {lot.lot_number} is recalled and can no longer be used. "
        f"{count} client{pluralize(count)}{where} received it: contact them from the list below."
    )
    if elsewhere:
        text += (
            f" {elsewhere} more session{pluralize(elsewhere)} at locations you do not manage "
            "used it: a manager with access to all locations contacts "
            f"{pluralize(elsewhere, 'that client,those clients')}."
        )
    return text


@role_required(*MANAGERS)
def lot_recall_csv(request: HttpRequest, lot_id) -> HttpResponse:
    lot = get_object_or_404(PigmentLot.objects.select_related("product"), public_id=lot_id)
    rows, _ = inventory.recall_rows_for(user=request.user, rows=inventory.recall_report(lot=lot))
    response = HttpResponse(
        inventory.recall_csv(lot=lot, rows=rows), content_type="text/csv; charset=utf-8"
    )
    # Named by what a person recognises, and the public id (never the enumerable pk), since
    # lot numbers repeat across makers.
    name = f"recall-lot-{slugify(lot.lot_number) or 'lot'}-{lot.public_id}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
