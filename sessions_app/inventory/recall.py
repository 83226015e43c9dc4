"""A lot's recall and its report: which clients received lot X, in one query, and the CSV
the clinic contacts them from."""

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BigIntegerField, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from sessions_app.models import (
    LayeringPass,
    PigmentLot,
    SessionAmendment,
)


@transaction.atomic
def lot_recall(*, lot: PigmentLot, by: User, reason: str) -> PigmentLot:
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError(
            {"reason": "Say why the lot is recalled (the maker's notice, a reaction…)."}
        )
    lot = PigmentLot.objects.select_for_update().get(pk=lot.pk)
    if lot.is_recalled:
        raise ValidationError("This lot is already recalled.")
    lot.recalled_at = timezone.now()
    lot.recall_reason = reason[:300]
    lot.recalled_by = by
    lot.save(update_fields=["recalled_at", "recall_reason", "recalled_by"])
    return lot


@dataclass
class RecallRow:
    session_id: str
    client_id: str
    client_name: str
    client_email: str
    client_phone: str
    session_date: date
    practitioner: str
    location_id: int
    passes: list[int] = field(default_factory=list)
    via_amendment: bool = False
    # Passes logged with (or once corrected to) this lot and corrected to another since.
    corrected_away: list[int] = field(default_factory=list)


def recall_report(*, lot: PigmentLot) -> list[RecallRow]:
    """Every client and session that received the lot, in one query: the passes logged
    with it, those corrected to it after sign-off, and those corrected away from it since
    (listed and marked: the record said once that this lot went in)."""
    lot_amendments = SessionAmendment.objects.filter(
        layering_pass=OuterRef("pk"), field="pigment_lot"
    )
    passes = (
        LayeringPass.objects.filter(
            Q(pigment_lot=lot) | Exists(lot_amendments.filter(corrected_lot=lot))
        )
        .annotate(
            current_lot_id=Coalesce(
                Subquery(lot_amendments.order_by("-at", "-pk").values("corrected_lot_id")[:1]),
                F("pigment_lot_id"),
                output_field=BigIntegerField(),
            )
        )
        .select_related(
            "session__client", "session__appointment__location", "session__practitioner"
        )
        .order_by("session__appointment__start", "number")
    )
    rows: dict[int, RecallRow] = {}
    for layering_pass in passes:
        session = layering_pass.session
        client = session.client
        row = rows.get(session.pk)
        if row is None:
            local = timezone.localtime(session.appointment.start, session.appointment.location.tz)
            row = rows[session.pk] = RecallRow(
                session_id=str(session.public_id),
                client_id=str(client.public_id),
                client_name=client.full_name,
                client_email=client.email,
                client_phone=str(client.phone or ""),
                session_date=local.date(),
                practitioner=session.practitioner.full_name,
                location_id=session.appointment.location_id,
            )
        row.passes.append(layering_pass.number)
        if layering_pass.current_lot_id != lot.pk:
            row.corrected_away.append(layering_pass.number)
        elif layering_pass.pigment_lot_id != lot.pk:
            row.via_amendment = True
    return list(rows.values())


def recall_rows_for(*, user, rows: list[RecallRow]) -> tuple[list[RecallRow], int]:
    """The rows of sessions at the user's locations, and how many others there are: a
    manager of some locations contacts their clients; the count tells them to escalate."""
    if user.all_locations:
        return rows, 0
    mine = set(user.locations.values_list("pk", flat=True))
    visible = [row for row in rows if row.location_id in mine]
    return visible, len(rows) - len(visible)


def recall_csv(*, lot: PigmentLot, rows: list[RecallRow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "lot",
            "product",
            "session date",
            "client",
            "email",
            "phone",
            "practitioner",
            "passes",
            "recorded by amendment",
            "passes corrected to another lot",
            "session id",
            "client id",
        ]
    )
    for row in rows:
        writer.writerow(
            [
                lot.lot_number,
                str(lot.product),
                row.session_date.isoformat(),
                _csv_safe(row.client_name),
                _csv_safe(row.client_email),
                _csv_safe(row.client_phone),
                _csv_safe(row.practitioner),
                " ".join(str(n) for n in row.passes),
                "yes" if row.via_amendment else "no",
                " ".join(str(n) for n in row.corrected_away),
                row.session_id,
                row.client_id,
            ]
        )
    return buffer.getvalue()


def _csv_safe(value: str) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: neutralise them."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
