"""Query budgets of the inventory pages, the sessions tab, a signed-off session's page and
the progress page: each costs the same with a few rows and with many (the page of a session
in progress and the progress grid's baseline photos are in test_session_log)."""

from datetime import time, timedelta
from decimal import Decimal

import time_machine
from django.urls import reverse
from django.utils import timezone

from scheduling.services import course_create
from sessions_app import inventory, services
from sessions_app.models import PigmentProduct
from tests.factories import RoomFactory, make_appointment
from tests.query_budget import queries_before_and_after, queries_of_get
from tests.sessions_app.conftest import pass_data

FAR = timedelta(days=900)


def stock_up(number: int) -> None:
    far = timezone.localdate() + FAR
    for n in range(number):
        product = PigmentProduct.objects.create(brand="Budget Ink", name=f"Tone {n}", shade="2")
        for lot in range(2):
            inventory.lot_receive(
                product=product,
                lot_number=f"B{n}-{lot}",
                expiry_date=far,
                volume_ml=Decimal("4") if lot else Decimal("30"),  # some run low
            )
        inventory.needle_receive(
            brand="Budget",
            configuration="3RL",
            diameter_mm=Decimal("0.30"),
            lot_number=f"N{n}",
            expiry_date=far,
            quantity=2,
        )


def test_the_inventory_costs_the_same_with_more_products_lots_and_needles(
    client, manager, pigments
):
    client.force_login(manager)
    few, many, response = queries_before_and_after(
        client, reverse("sessions_app:inventory"), lambda: stock_up(8)
    )
    assert (few, many) == (8, 8)  # one of them the clinic's time zones (clinic_today)
    assert len(response.context["products"]) == 10


def test_a_lot_page_costs_the_same_with_more_passes_made_from_it(
    client, manager, session, practitioner, pigments, on_the_day
):
    services.session_start(session=session, by=practitioner)
    services.pass_add(session=session, by=practitioner, data=pass_data(pigments))
    client.force_login(manager)
    url = reverse("sessions_app:lot", args=[pigments["light"].public_id])

    def more_passes_and_stock_corrections():
        for n in range(6):
            services.pass_add(
                session=session,
                by=practitioner,
                data=pass_data(pigments, needle="needle_3rl", pigment_ml=Decimal("0.1")),
            )
            inventory.lot_adjust_stock(
                lot=pigments["light"],
                by=manager,
                kind="discard",
                ml=Decimal("0.5"),
                reason=f"Spilled, number {n}",
            )

    few, many, response = queries_before_and_after(client, url, more_passes_and_stock_corrections)
    # session, user, location ids, the lot, its stock corrections, the recall report, the
    # clinic's time zones (what "expired" means today)
    assert (few, many) == (7, 7)
    assert response.context["rows"][0].passes == [1, 2, 3, 4, 5, 6, 7]
    assert len(response.context["adjustments"]) == 6


def test_the_sessions_tab_costs_the_same_with_more_sessions(
    client, front_desk, session, ready_client, practitioner, location, session_day
):
    course = course_create(client=ready_client, by=practitioner, planned_sessions=6)
    room = RoomFactory(location=location)
    client.force_login(front_desk)
    url = reverse("clients:section", args=[ready_client.public_id, "sessions"])

    def more_sessions():
        for weeks in range(1, 5):
            appointment = make_appointment(
                client=ready_client,
                practitioner=practitioner,
                room=room,
                kind="session",
                day=session_day + timedelta(weeks=weeks),
                at=time(11),
                course=course,
            )
            services.session_open(appointment=appointment, by=practitioner)

    few, many, response = queries_before_and_after(client, url, more_sessions)
    assert (few, many) == (10, 10)
    assert len(response.context["sessions"]) == 5


def signed_off_course_session(*, course, practitioner, room, day, passes=2, photos=2):
    """A course session on ``day``, run on that day: the previous one's healing check, the
    gate, passes (one corrected after sign-off), before and after photos, sign-off, and
    its own healing check."""
    from clients.photos.selectors import photo_upload_refusal
    from smp_clinic.lib.tz import local_datetime
    from tests.factories import jpeg_upload, make_signed_consent

    client = course.client
    if photo_upload_refusal(client=client):
        make_signed_consent(client=client, kind="photos", witness=practitioner)
    appointment = make_appointment(
        client=client,
        practitioner=practitioner,
        room=room,
        kind="session",
        day=day,
        at=time(9, 30),
        course=course,
    )
    far = timezone.localdate() + FAR
    product, _ = PigmentProduct.objects.get_or_create(brand="Budget Ink", name="Tone", shade="2")
    lot = inventory.lot_receive(
        product=product,
        lot_number=f"C-{day:%Y%m%d}",
        expiry_date=far,
        volume_ml=Decimal("30"),
        received_on=timezone.localdate(),
    )
    needle = inventory.needle_receive(
        brand="Budget",
        configuration="1RL",
        diameter_mm=Decimal("0.25"),
        lot_number=f"CN-{day:%Y%m%d}",
        expiry_date=far,
        quantity=5,
    )
    with time_machine.travel(local_datetime(day, time(9, 25), room.location.tz), tick=True):
        session = services.session_open(appointment=appointment, by=practitioner)
        services.session_start(session=session, by=practitioner)
        for n in range(passes):
            data = pass_data({"light": lot, "needle_1rl": needle}, shade=str(n + 1))
            services.pass_add(session=session, by=practitioner, data=data)
        for stage in ("before", "after")[:photos]:
            services.session_photos_add(
                session=session, by=practitioner, files=[jpeg_upload()], stage=stage, angle="top"
            )
        services.session_save_notes(
            session=session,
            by=practitioner,
            data={"pain": 3, "bleeding": "none", "skin_reaction": "redness"},
        )
        services.session_sign_off(session=session, by=practitioner)
        services.session_amend(
            session=session,
            by=practitioner,
            layering_pass=session.passes.get(number=1),
            field="dilution",
            new_value="1:5",
            reason="Wrote the wrong dilution",
        )
        services.healing_check_record(
            session=session,
            by=practitioner,
            data={"rating": 4, "healed_shade": "as_intended", "coverage": "even"},
        )
    return session


def test_the_progress_page_costs_the_same_with_more_signed_off_sessions_photos_and_checks(
    client, ready_client, practitioner, location, session_day
):
    course = course_create(client=ready_client, by=practitioner, planned_sessions=4)
    room = RoomFactory(location=location)
    signed_off_course_session(course=course, practitioner=practitioner, room=room, day=session_day)
    client.force_login(practitioner)
    url = reverse("sessions_app:progress", args=[ready_client.public_id])

    def two_more_sessions():
        for n in (1, 2):
            signed_off_course_session(
                course=course,
                practitioner=practitioner,
                room=room,
                day=session_day + timedelta(weeks=2 * n),
            )

    few, many, response = queries_before_and_after(client, url, two_more_sessions)
    # session, user, location ids, client, photos, session links, design, the ladder's
    # sessions, their passes, the passes' amendments, their healing checks, and the audit
    # row of the look
    assert (few, many) == (12, 12)
    assert [len(row.shades) for row in response.context["ladder"]] == [2, 2, 2]
    assert all(row.healing is not None for row in response.context["ladder"])
    assert [row.dilutions for row in response.context["ladder"]] == [["1:5", "1:3"]] * 3
    [top] = response.context["rows"]
    assert [len(cell) for cell in top.cells] == [0, 2, 2, 2]


def test_a_signed_off_session_page_costs_the_same_with_more_passes_corrections_and_checks(
    client, ready_client, practitioner, location, session_day
):
    course = course_create(client=ready_client, by=practitioner, planned_sessions=2)
    room = RoomFactory(location=location)
    few_session = signed_off_course_session(
        course=course, practitioner=practitioner, room=room, day=session_day, passes=1, photos=1
    )
    many_session = signed_off_course_session(
        course=course,
        practitioner=practitioner,
        room=room,
        day=session_day + timedelta(weeks=2),
        passes=6,
    )
    for n in range(2, 7):
        services.session_amend(
            session=many_session,
            by=practitioner,
            layering_pass=many_session.passes.get(number=n),
            field="depth",
            new_value="0.6 mm",
            reason="Measured again",
        )
    services.session_amend(
        session=many_session, by=practitioner, field="pain", new_value="6", reason="Told me later"
    )
    with time_machine.travel(many_session.appointment.start + timedelta(days=3)):
        services.healing_check_record(
            session=many_session,
            by=practitioner,
            data={"rating": 5, "healed_shade": "as_intended", "coverage": "even"},
        )
    client.force_login(practitioner)
    counts = []
    for session in (few_session, many_session):
        url = reverse("sessions_app:session", args=[session.public_id])
        client.get(url)
        count, response = queries_of_get(client, url)
        counts.append(count)
    # session, user, location ids, the session and the staff it names, its amendments,
    # passes (with needle and lot) and their amendments, healing checks, the course's later
    # and live appointments (is the next session to book?), photos, the photo consent, and
    # the audit trail's two
    assert counts == [15, 15]
    content = response.content.decode()
    assert content.count('data-testid="pass-row"') == 6
    assert content.count('data-testid="healing-check"') == 2
    assert content.count('data-testid="amendment"') == 7
    assert content.count('data-testid="session-photo"') == 2
