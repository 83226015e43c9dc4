import re
from datetime import time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clients.intake.services import intake_mark_reviewed
from scheduling.models import Appointment, Course
from scheduling.services import allowed_transitions, appointment_cancel
from sessions_app import inventory, services
from tests.factories import RoomFactory, make_appointment, make_client, make_intake, make_staff
from tests.sessions_app.conftest import correct_lot, pass_data, posted_pass, signed_off


def failing(session, day=None):
    return {c.key: c.reason for c in services.session_gate(session=session, on=day) if not c.ok}


def test_the_gate_passes_for_a_ready_client_and_start_moves_the_appointment(
    session, practitioner, on_the_day
):
    assert failing(session) == {}
    services.session_start(session=session, by=practitioner)
    session.refresh_from_db()
    assert session.status == "in_progress"
    assert session.gate_passed_at is not None
    assert Appointment.objects.get(pk=session.appointment_id).status == "in_progress"


def test_the_gate_names_each_missing_safety_step(smp_client, practitioner, location, session_day):
    from tests.factories import give_rota

    give_rota(practitioner, location)
    make_intake(client=smp_client, by=practitioner)  # not reviewed, no consent
    appointment = make_appointment(
        client=smp_client,
        practitioner=practitioner,
        room=RoomFactory(location=location),
        kind="session",
        day=session_day,
        at=time(9, 30),
    )
    session = services.session_open(appointment=appointment, by=practitioner)
    reasons = failing(session)
    assert reasons["consent"] == "The client has not signed the treatment consent (or withdrew it)."
    assert reasons["intake"] == "No practitioner has reviewed it yet."
    with pytest.raises(ValidationError) as refused:
        services.session_start(session=session, by=practitioner)
    assert len(refused.value.messages) == 2
    session.refresh_from_db()
    assert session.status == "not_started"


def test_an_old_intake_must_be_renewed(session, settings):
    later = timezone.now() + timedelta(days=settings.SESSION_INTAKE_MAX_AGE_DAYS + 5)
    with time_machine.travel(later):
        assert "days old (renew it after 90)" in failing(session)["intake"]


def test_a_new_blocking_flag_closes_the_gate(session, practitioner):
    intake = make_intake(client=session.client, by=practitioner, yes={"keloid"})
    intake_mark_reviewed(intake=intake, by=practitioner)
    assert "blocks pigmentation sessions" in failing(session)["flags"]


def test_only_a_manager_overrides_and_the_reason_is_kept(
    session, practitioner, manager, on_the_day
):
    intake = make_intake(client=session.client, by=practitioner)  # newer and unreviewed
    with pytest.raises(ValidationError, match="Only a manager"):
        services.session_override_gate(
            session=session, by=practitioner, reason="Client travelled far today"
        )
    with pytest.raises(ValidationError, match="Write why"):
        services.session_override_gate(session=session, by=manager, reason="ok")
    services.session_override_gate(
        session=session, by=manager, reason="GP confirmed by phone; review to follow"
    )
    session.refresh_from_db()
    assert session.status == "in_progress"
    assert session.gate_override_by == manager
    assert session.gate_failures == [
        {"key": "intake", "reason": "No practitioner has reviewed it yet."}
    ]
    assert intake.pk


def test_passes_take_pigment_and_one_cartridge_per_needle_per_session(
    session, practitioner, pigments, on_the_day
):
    services.session_start(session=session, by=practitioner)
    first = services.pass_add(session=session, by=practitioner, data=pass_data(pigments))
    second = services.pass_add(
        session=session, by=practitioner, data=pass_data(pigments, lot="dark", shade="3")
    )
    third = services.pass_add(
        session=session, by=practitioner, data=pass_data(pigments, needle="needle_3rl")
    )
    assert [p.number for p in (first, second, third)] == [1, 2, 3]
    pigments["light"].refresh_from_db()
    pigments["needle_1rl"].refresh_from_db()
    pigments["needle_3rl"].refresh_from_db()
    assert pigments["light"].volume_remaining_ml == Decimal("29.0")
    assert pigments["needle_1rl"].quantity_remaining == 19
    assert pigments["needle_3rl"].quantity_remaining == 19
    services.pass_delete(layering_pass=third, by=practitioner)
    pigments["light"].refresh_from_db()
    pigments["needle_3rl"].refresh_from_db()
    assert pigments["light"].volume_remaining_ml == Decimal("29.5")
    assert pigments["needle_3rl"].quantity_remaining == 20


def test_an_expired_or_recalled_lot_is_refused_with_a_reason(
    session, practitioner, manager, pigments, on_the_day
):
    services.session_start(session=session, by=practitioner)
    expired = pigments["dark"]
    type(expired).objects.filter(pk=expired.pk).update(
        expiry_date=timezone.localdate() - timedelta(days=1)
    )
    expired.refresh_from_db()
    with pytest.raises(ValidationError, match="expired on"):
        services.pass_add(session=session, by=practitioner, data=pass_data(pigments, lot="dark"))
    recalled = inventory.lot_recall(lot=pigments["light"], by=manager, reason="Maker's recall")
    with pytest.raises(ValidationError, match="is recalled"):
        services.pass_add(
            session=session, by=practitioner, data=pass_data(pigments | {"light": recalled})
        )
    assert not session.passes.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("zones", [], "Choose at least one zone."),
        ("zones", ["nape"], "Unknown zone"),
        ("depth", " ", "Record what was used."),
        ("duration_minutes", 0, "Between 1 and 300 minutes."),
    ],
)
def test_incomplete_passes_are_refused(
    session, practitioner, pigments, on_the_day, field, value, message
):
    services.session_start(session=session, by=practitioner)
    with pytest.raises(ValidationError, match=message):
        services.pass_add(
            session=session, by=practitioner, data=pass_data(pigments, **{field: value})
        )


def test_sign_off_needs_passes_and_notes_then_locks_and_completes(
    session, practitioner, pigments, on_the_day
):
    services.session_start(session=session, by=practitioner)
    with pytest.raises(ValidationError) as refused:
        services.session_sign_off(session=session, by=practitioner)
    assert set(refused.value.message_dict) == {"__all__", "pain", "bleeding", "skin_reaction"}
    services.pass_add(session=session, by=practitioner, data=pass_data(pigments))
    services.session_save_notes(
        session=session,
        by=practitioner,
        data={"pain": 4, "bleeding": "pinpoint", "skin_reaction": "redness"},
    )
    services.session_sign_off(session=session, by=practitioner)
    session.refresh_from_db()
    assert session.is_locked
    assert Appointment.objects.get(pk=session.appointment_id).status == "completed"
    with pytest.raises(ValidationError, match="signed off"):
        services.session_save_notes(session=session, by=practitioner, data={"notes": "later edit"})
    with pytest.raises(ValidationError, match="signed off"):
        services.pass_add(session=session, by=practitioner, data=pass_data(pigments))


def open_next_in_course(session, practitioner, session_day):
    """The course's next session, booked just past the minimum interval, its log opened."""
    course = Course.objects.get(pk=session.course_id)
    nxt = make_appointment(
        client=session.client,
        practitioner=practitioner,
        room=session.appointment.room,
        kind="session",
        day=session_day + timedelta(days=course.min_interval_days + 1),
        at=time(9, 30),
        course=course,
    )
    return services.session_open(appointment=nxt, by=practitioner)


def test_a_correction_is_appended_and_a_corrected_lot_reaches_the_recall_report(
    session, practitioner, pigments, on_the_day
):
    signed_off(session, practitioner, pigments)
    layering_pass = session.passes.get()
    services.session_amend(
        session=session,
        by=practitioner,
        layering_pass=layering_pass,
        field="pigment_lot",
        new_value="",
        reason="Bottle label misread",
        corrected_lot=pigments["dark"],
    )
    services.session_amend(
        session=session, by=practitioner, field="pain", new_value="5", reason="Client told me later"
    )
    layering_pass.refresh_from_db()
    assert layering_pass.pigment_lot == pigments["light"]  # the signed record is unchanged
    rows = inventory.recall_report(lot=pigments["dark"])
    assert [r.client_name for r in rows] == ["Sam Carter"]
    assert rows[0].via_amendment
    with pytest.raises(ValidationError, match="already the recorded value"):
        services.session_amend(
            session=session, by=practitioner, field="pain", new_value="5", reason="again, twice"
        )


def test_the_recall_report_is_one_query(
    session, practitioner, pigments, on_the_day, location, session_day
):
    """Several sessions of several clients, one pass corrected to the lot and one corrected
    away from it: still one query, every row right."""
    from tests.factories import give_rota, make_client, make_ready_for_smp, make_staff

    signed_off(session, practitioner, pigments)
    others = []
    for hour, name in ((10, "Ada"), (11, "Ben")):  # later the same morning, in this order
        colleague = make_staff(role="practitioner", locations=[location])
        give_rota(colleague, location)
        other = make_client(location=location, first_name=name, last_name="Lot")
        make_ready_for_smp(client=other, practitioner=colleague)
        appointment = make_appointment(
            client=other,
            practitioner=colleague,
            room=RoomFactory(location=location),
            kind="session",
            day=session_day,
            at=time(hour),
        )
        others.append(
            signed_off(
                services.session_open(appointment=appointment, by=colleague),
                colleague,
                pigments,
                lot="dark" if name == "Ada" else "light",
            )
        )
    ada, ben = others
    for corrected, lot in ((ada, pigments["light"]), (ben, pigments["dark"])):
        correct_lot(corrected, practitioner, lot)
    with CaptureQueriesContext(connection) as queries:
        rows = inventory.recall_report(lot=pigments["light"])
    assert len(queries) == 1
    assert [(r.client_name, r.passes, r.via_amendment, r.corrected_away) for r in rows] == [
        ("Sam Carter", [1], False, []),
        ("Ada Lot", [1], True, []),
        ("Ben Lot", [1], False, [1]),
    ]


def test_the_next_session_needs_a_healing_check_and_the_interval(
    session, practitioner, pigments, on_the_day, location, session_day
):
    signed_off(session, practitioner, pigments)
    second = open_next_in_course(session, practitioner, session_day)
    assert failing(second)["healing"] == "Record the healing check of the previous session first."
    services.healing_check_record(
        session=session,
        by=practitioner,
        data={"rating": 4, "healed_shade": "lighter", "coverage": "patchy"},
    )
    assert "healing" not in failing(second)
    too_soon = session_day + timedelta(days=3)
    assert "Only 3 days since the previous session" in failing(second, too_soon)["interval"]


def test_the_last_planned_session_completes_the_course(session, practitioner, pigments, on_the_day):
    Course.objects.filter(pk=session.course_id).update(planned_sessions=1)
    signed_off(session, practitioner, pigments)
    assert Course.objects.get(pk=session.course_id).status == "completed"


@pytest.fixture
def doctor(client, practitioner):
    client.force_login(practitioner)
    return client


def test_the_session_page_logs_a_pass_with_htmx_and_prefills_the_next(
    doctor, session, practitioner, pigments, on_the_day
):
    doctor.force_login(practitioner)
    services.session_start(session=session, by=practitioner)
    url = reverse("sessions_app:pass_add", args=[session.public_id])
    data = {
        "zones": ["front_hairline", "temples"],
        "needle": str(pigments["needle_1rl"].public_id),
        "pigment_lot": str(pigments["light"].public_id),
        "dilution": "1:4",
        "machine": "Bellar",
        "machine_settings": "7 V",
        "depth": "0.4 mm",
        "density": "light",
        "shade": "1",
        "duration_minutes": "35",
        "pigment_ml": "0.4",
        "notes": "",
    }
    response = doctor.post(url, data, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="passes")
    content = response.content.decode()
    assert content.count('data-testid="pass-row"') == 1
    assert "prefilled from pass 1" in content
    assert 'value="1:4"' in content


def test_the_pass_form_reports_an_expired_lot_next_to_the_field(
    doctor, session, practitioner, pigments, on_the_day
):
    doctor.force_login(practitioner)
    services.session_start(session=session, by=practitioner)
    lot = pigments["dark"]
    type(lot).objects.filter(pk=lot.pk).update(expiry_date=timezone.localdate() - timedelta(days=2))
    data = {
        "zones": ["crown"],
        "needle": str(pigments["needle_1rl"].public_id),
        "pigment_lot": str(lot.public_id),
        "dilution": "1:3",
        "depth": "0.5 mm",
        "density": "medium",
        "shade": "3",
        "duration_minutes": "30",
        "pigment_ml": "0.5",
    }
    response = doctor.post(reverse("sessions_app:pass_add", args=[session.public_id]), data)
    assert f"Lot {lot.lot_number} expired on" in response.content.decode()
    assert not session.passes.exists()


def test_front_desk_sees_that_a_session_happened_but_not_its_content(
    client, front_desk, session, practitioner, pigments, on_the_day
):
    signed_off(session, practitioner, pigments)
    client.force_login(front_desk)
    tab = client.get(
        reverse("clients:section", args=[session.client.public_id, "sessions"])
    ).content.decode()
    assert "Signed off" in tab
    assert "1:3" not in tab
    assert "SD-100" not in tab
    assert "MI-200" not in tab
    assert client.get(reverse("sessions_app:session", args=[session.public_id])).status_code == 403
    assert (
        client.get(reverse("sessions_app:progress", args=[session.client.public_id])).status_code
        == 403
    )


@pytest.mark.parametrize("count", [1, 12])
def test_session_page_query_count_is_constant(
    doctor, session, practitioner, pigments, on_the_day, count, django_assert_num_queries
):
    doctor.force_login(practitioner)
    services.session_start(session=session, by=practitioner)
    for _ in range(count):
        services.pass_add(
            session=session, by=practitioner, data=pass_data(pigments, pigment_ml=Decimal("0.1"))
        )
    # session, user, location ids, the session and the staff it names, its passes (with
    # needle and lot) and their amendments, the prefill pass and its amendments, the lot and
    # needle choices, the photos and the photo consent, and the audit trail's two
    with django_assert_num_queries(15):
        response = doctor.get(reverse("sessions_app:session", args=[session.public_id]))
    assert response.content.decode().count('data-testid="pass-row"') == count


def test_before_and_after_photos_join_the_session_and_the_progress_grid(
    doctor, session, practitioner, on_the_day
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import jpeg_upload, make_photo, make_signed_consent

    doctor.force_login(practitioner)
    url = reverse("sessions_app:photos_add", args=[session.public_id])
    refused = doctor.post(
        url, {"files": [jpeg_upload()], "stage": "before", "angle": "front"}, follow=True
    )
    assert "photo consent" in refused.content.decode().lower()
    make_signed_consent(client=session.client, kind="photos", witness=practitioner)
    make_photo(client=session.client, by=practitioner, angle="front", kind="baseline")
    fake = SimpleUploadedFile("notes.jpg", b"just some text", content_type="image/jpeg")
    response = doctor.post(
        url, {"files": [jpeg_upload(), fake], "stage": "before", "angle": "front"}, follow=True
    )
    content = response.content.decode()
    assert "1 photo added." in content
    assert "Not saved: notes.jpg" in content
    assert content.count('data-testid="session-photo"') == 1
    link = session.photo_links.select_related("photo").get()
    assert (link.stage, link.photo.kind, link.photo.angle) == ("before", "before", "front")
    grid = doctor.get(reverse("sessions_app:progress", args=[session.client.public_id]))
    columns, rows = grid.context["columns"], grid.context["rows"]
    assert [c.title for c in columns][0] == "Baseline"
    assert [r.angle for r in rows] == ["front"]
    assert [len(cell) for cell in rows[0].cells] == [1, 1]


def test_staff_cannot_file_a_photo_as_one_the_client_sent(
    doctor, session, practitioner, on_the_day
):
    from tests.factories import jpeg_upload, make_signed_consent

    doctor.force_login(practitioner)
    make_signed_consent(client=session.client, kind="photos", witness=practitioner)
    url = reverse("sessions_app:photos_add", args=[session.public_id])
    response = doctor.post(url, {"files": [jpeg_upload()], "stage": "healing", "angle": "front"})
    assert "Select a valid choice" in response.content.decode()
    assert not session.photo_links.exists()


def test_the_progress_page_shows_the_approved_design_not_a_newer_draft(
    doctor, session, practitioner, on_the_day
):
    from consultations.designs import design_approve
    from tests.factories import make_consultation, make_design, signature_data_url

    doctor.force_login(practitioner)
    consultation = make_consultation(client=session.client, practitioner=practitioner)
    approved = make_design(consultation=consultation, by=practitioner)
    design_approve(
        plan=approved,
        witness=practitioner,
        typed_name=session.client.full_name,
        signature_data_url=signature_data_url(),
        ip_address=None,
    )
    make_design(consultation=consultation, by=practitioner, photo=approved.photo)
    response = doctor.get(reverse("sessions_app:progress", args=[session.client.public_id]))
    assert response.context["design"].pk == approved.pk
    assert f"version {approved.version}, approved" in response.content.decode()


def test_the_design_is_drawn_over_every_photo_of_its_angle_on_the_progress_page(
    doctor, session, practitioner, on_the_day
):
    from consultations.design.curve import catmull_rom
    from tests.factories import (
        SAMPLE_DESIGN,
        make_consultation,
        make_design,
        make_photo,
        make_signed_consent,
    )

    doctor.force_login(practitioner)
    make_signed_consent(client=session.client, kind="photos", witness=practitioner)
    front = make_photo(client=session.client, by=practitioner, angle="front", kind="baseline")
    make_photo(client=session.client, by=practitioner, angle="front", kind="baseline")
    make_photo(client=session.client, by=practitioner, angle="top", kind="baseline")
    consultation = make_consultation(client=session.client, practitioner=practitioner)
    make_design(consultation=consultation, by=practitioner, photo=front)
    response = doctor.get(reverse("sessions_app:progress", args=[session.client.public_id]))
    content = response.content.decode()
    assert "also over the front photos" in content
    rows = dict(re.findall(r'<th scope="row">(\w+)</th>(.*?)</tr>', content, re.S))
    assert rows["Front"].count('data-testid="design-svg"') == 2
    assert 'data-testid="design-svg"' not in rows["Top"]
    curve = " ".join(
        f"{x:.4f},{y:.4f}" for x, y in catmull_rom(SAMPLE_DESIGN["hairline"]["points"])
    )
    assert f'points="{curve}"' in rows["Front"]
    zone = SAMPLE_DESIGN["zones"][0]
    assert " ".join(f"{x:.4f},{y:.4f}" for x, y in zone["points"]) in rows["Front"]


@pytest.mark.parametrize("extra", [1, 6])
def test_progress_page_query_count_is_constant(
    doctor, session, practitioner, on_the_day, extra, django_assert_num_queries
):
    from consultations.models import DesignPlan
    from tests.factories import make_consultation, make_design, make_photo, make_signed_consent

    doctor.force_login(practitioner)
    make_signed_consent(client=session.client, kind="photos", witness=practitioner)
    angles = ["front", "top", "crown"]
    for n in range(extra):
        make_photo(client=session.client, by=practitioner, angle=angles[n % 3], kind="baseline")
    consultation = make_consultation(client=session.client, practitioner=practitioner)
    make_design(consultation=consultation, by=practitioner)
    # session, user, location ids, client, photos, session links, design, ladder (sessions
    # with their passes and healing checks prefetched), and the audit row of the look
    with django_assert_num_queries(9):
        response = doctor.get(reverse("sessions_app:progress", args=[session.client.public_id]))
    content = response.content.decode()
    assert (
        content.count('data-testid="progress-photo"') == extra + 1
    )  # the design's photo is a baseline too
    assert 'data-testid="design-overlay"' in content
    assert DesignPlan.objects.count() == 1


def test_the_calendar_cannot_start_or_complete_a_pigmentation_session(
    doctor, practitioner, session_appointment, on_the_day
):
    """Start and Complete on the calendar would skip the safety gate and the record: a
    pigmentation appointment follows its session log only."""
    doctor.force_login(practitioner)
    status_url = reverse("scheduling:appointment_status", args=[session_appointment.public_id])
    doctor.post(status_url, {"status": "checked_in"})
    page = doctor.get(reverse("scheduling:appointment", args=[session_appointment.public_id]))
    content = page.content.decode()
    assert 'value="in_progress"' not in content
    assert 'value="completed"' not in content
    assert "Open the session log" in content
    for status, refusal in [
        ("in_progress", "A pigmentation session starts from its session log"),
        ("completed", "A pigmentation session is completed by signing off its session log"),
    ]:
        response = doctor.post(status_url, {"status": status}, follow=True)
        assert refusal in response.content.decode()
        assert Appointment.objects.get(pk=session_appointment.pk).status == "checked_in"


def test_the_status_buttons_read_the_session_log_once(
    doctor, practitioner, session_appointment, on_the_day
):
    """Start and Complete are both guarded by the session log's state: one read for both."""
    doctor.force_login(practitioner)
    status_url = reverse("scheduling:appointment_status", args=[session_appointment.public_id])
    doctor.post(status_url, {"status": "checked_in"})
    appointment = Appointment.objects.select_related("appointment_type").get(
        pk=session_appointment.pk
    )
    with CaptureQueriesContext(connection) as queries:
        offered = allowed_transitions(appointment)
    assert offered == []
    assert len(queries) == 1


def test_a_consultation_appointment_is_still_completed_from_the_calendar(
    doctor, ready_client, practitioner, location, session_day, on_the_day
):
    consultation = make_appointment(
        client=ready_client,
        practitioner=practitioner,
        room=RoomFactory(location=location),
        day=session_day,
        at=time(11),
    )
    doctor.force_login(practitioner)
    status_url = reverse("scheduling:appointment_status", args=[consultation.public_id])
    for status in ("checked_in", "in_progress", "completed"):
        doctor.post(status_url, {"status": status})
    assert Appointment.objects.get(pk=consultation.pk).status == "completed"


def test_a_session_cannot_start_on_a_cancelled_appointment(
    session, session_appointment, practitioner, on_the_day
):
    appointment_cancel(appointment=session_appointment, by=practitioner, reason="Client unwell")
    with pytest.raises(ValidationError, match="The appointment is cancelled"):
        services.session_start(session=session, by=practitioner)
    session.refresh_from_db()
    assert session.status == "not_started"


def test_a_correction_reaches_the_shade_ladder_and_the_next_sessions_prefill(
    session, practitioner, pigments, on_the_day, session_day
):
    """The next session starts from what was really done, not from a misrecorded value."""
    from sessions_app import selectors

    signed_off(session, practitioner, pigments)
    layering_pass = session.passes.get()
    assert layering_pass.shade == "1"
    services.session_amend(
        session=session,
        by=practitioner,
        layering_pass=layering_pass,
        field="shade",
        new_value="2",
        reason="Wrote the wrong shade",
    )
    services.session_amend(
        session=session,
        by=practitioner,
        layering_pass=layering_pass,
        field="pigment_lot",
        new_value="",
        reason="Bottle label misread",
        corrected_lot=pigments["dark"],
    )
    [row] = selectors.shade_ladder(client=session.client)
    assert row.shades == ["2"]
    assert row.lots == ["3 · SD-100"]
    second = open_next_in_course(session, practitioner, session_day)
    source = selectors.prefill_from(second)
    assert source.corrected("shade") == "2"
    assert source.corrected("pigment_lot") == pigments["dark"]
    assert source.corrected("dilution") == "1:3"  # not amended: as signed


def test_the_next_course_session_waits_until_the_previous_one_is_signed_off(
    session, practitioner, pigments, on_the_day, session_day
):
    services.session_start(session=session, by=practitioner)  # in progress, never signed off
    second = open_next_in_course(session, practitioner, session_day)
    day = timezone.localtime(session.appointment.start, session.appointment.location.tz)
    later = session_day + timedelta(days=30)  # the interval alone would be fine
    assert failing(second, later) == {
        "previous": (
            f"Session 1 of the course ({day:%a} {day.day} {day:%b}) is not signed off: sign it "
            "off, or close it on its page as a session that did not go ahead."
        )
    }
    with (
        time_machine.travel(second.appointment.start - timedelta(minutes=5)),
        pytest.raises(ValidationError, match="is not signed off: sign it off"),
    ):
        services.session_start(session=second, by=practitioner)
    second.refresh_from_db()
    assert second.status == "not_started"


def test_a_course_session_that_did_not_take_place_does_not_hold_up_the_next(
    session, session_appointment, practitioner, session_day
):
    appointment_cancel(appointment=session_appointment, by=practitioner, reason="Client unwell")
    second = open_next_in_course(session, practitioner, session_day)
    assert services.previous_session(second) is None
    assert failing(second, session_day + timedelta(days=30)) == {}


def standalone_session(client, practitioner, room, day):
    appointment = make_appointment(
        client=client, practitioner=practitioner, room=room, kind="session", day=day, at=time(14)
    )
    return services.session_open(appointment=appointment, by=practitioner)


def test_a_standalone_session_soon_after_another_needs_its_healing_check_and_the_interval(
    session, practitioner, pigments, on_the_day, session_day
):
    """A touch-up booked outside the course a few days after a session would go into skin
    that may not have healed: the gate measures it against the client's last session."""
    signed_off(session, practitioner, pigments)
    touch_up = standalone_session(
        session.client, practitioner, session.appointment.room, session_day + timedelta(days=6)
    )
    assert services.previous_session(touch_up) == session
    reasons = failing(touch_up, session_day + timedelta(days=6))
    assert reasons == {
        "healing": "Record the healing check of the previous session first.",
        "interval": "Only 6 days since the previous session; leave at least 10.",
    }


def test_the_first_session_of_a_new_course_soon_after_another_is_held_to_the_same_checks(
    session, practitioner, pigments, on_the_day, session_day
):
    """A touch-up booked as a course of its own a week after a session goes into skin that
    may not have healed, just like one booked outside any course."""
    signed_off(session, practitioner, pigments)
    appointment = make_appointment(
        client=session.client,
        practitioner=practitioner,
        room=session.appointment.room,
        kind="touch_up",
        day=session_day + timedelta(days=7),
        at=time(14),
        new_course_sessions=1,
    )
    assert appointment.course_id not in (None, session.course_id)
    touch_up = services.session_open(appointment=appointment, by=practitioner)
    assert services.previous_session(touch_up) == session
    assert failing(touch_up, session_day + timedelta(days=7)) == {
        "healing": "Record the healing check of the previous session first.",
        "interval": "Only 7 days since the previous session; leave at least 10.",
    }


def test_a_standalone_session_waits_for_an_unsigned_recent_session(
    session, practitioner, on_the_day, session_day
):
    services.session_start(session=session, by=practitioner)
    touch_up = standalone_session(
        session.client, practitioner, session.appointment.room, session_day + timedelta(days=20)
    )
    assert "is not signed off: sign it off" in failing(touch_up)["previous"]


def test_a_touch_up_months_after_the_course_is_not_held_to_its_healing_check(
    session, practitioner, pigments, on_the_day, session_day
):
    signed_off(session, practitioner, pigments)
    months_later = session_day + timedelta(days=services.STANDALONE_LOOKBACK_DAYS + 30)
    touch_up = standalone_session(
        session.client, practitioner, session.appointment.room, months_later
    )
    assert services.previous_session(touch_up) is None
    checks = {c.key for c in services.session_gate(session=touch_up, on=months_later)}
    assert checks == {"consent", "intake", "flags"}


def test_a_pass_with_a_product_or_needle_taken_out_of_use_is_refused(
    session, practitioner, pigments, on_the_day
):
    from sessions_app.models import Needle, PigmentProduct

    services.session_start(session=session, by=practitioner)
    PigmentProduct.objects.filter(lots=pigments["light"]).update(is_active=False)
    with pytest.raises(ValidationError, match=r"Scalp Ink Mist \(1\) is no longer in use"):
        services.pass_add(session=session, by=practitioner, data=pass_data(pigments))
    Needle.objects.filter(pk=pigments["needle_3rl"].pk).update(is_active=False)
    pigments["needle_3rl"].refresh_from_db()
    with pytest.raises(ValidationError, match="Needle lot K3 is no longer in use"):
        services.pass_add(
            session=session,
            by=practitioner,
            data=pass_data(pigments, lot="dark", needle="needle_3rl"),
        )
    assert not session.passes.exists()
    pigments["dark"].refresh_from_db()
    assert pigments["dark"].volume_remaining_ml == Decimal("30")


def test_the_same_pass_form_sent_twice_logs_one_pass_and_the_next_form_is_new(
    doctor, session, practitioner, pigments, on_the_day
):
    doctor.force_login(practitioner)
    services.session_start(session=session, by=practitioner)
    page = doctor.get(reverse("sessions_app:session", args=[session.public_id])).content.decode()
    [token] = re.findall(r'name="form_token" value="([0-9a-f-]{36})"', page)
    assert "hx-disabled-elt=\"find button[type='submit']\"" in page
    data = posted_pass(pigments, form_token=token)
    url = reverse("sessions_app:pass_add", args=[session.public_id])
    first = doctor.post(url, data, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="passes")
    replay = doctor.post(url, data, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="passes")

    assert replay.status_code == 200
    assert replay.content.decode().count('data-testid="pass-row"') == 1
    assert session.passes.count() == 1
    pigments["light"].refresh_from_db()
    assert pigments["light"].volume_remaining_ml == Decimal("29.50")
    [fresh] = re.findall(r'name="form_token" value="([0-9a-f-]{36})"', first.content.decode())
    assert fresh != token  # the form for the next pass is a new one
    doctor.post(url, data | {"form_token": fresh, "zones": ["temples"]})
    assert list(session.passes.values_list("number", flat=True)) == [1, 2]


def logged_form(doctor, session):
    """The pass form's token as the session page gives it."""
    page = doctor.get(reverse("sessions_app:session", args=[session.public_id])).content.decode()
    [token] = re.findall(r'name="form_token" value="([0-9a-f-]{36})"', page)
    return token


def test_a_pass_form_sent_again_after_its_pass_was_removed_logs_nothing_new(
    doctor, session, practitioner, pigments, on_the_day
):
    doctor.force_login(practitioner)
    services.session_start(session=session, by=practitioner)
    data = posted_pass(pigments, form_token=logged_form(doctor, session))
    url = reverse("sessions_app:pass_add", args=[session.public_id])
    doctor.post(url, data)
    services.pass_delete(layering_pass=session.passes.get(), by=practitioner)
    replay = doctor.post(url, data, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="passes")
    content = replay.content.decode()
    assert replay.status_code == 200
    assert "This form was already used for a pass that was removed since" in content
    assert not session.passes.exists()
    pigments["light"].refresh_from_db()
    assert pigments["light"].volume_remaining_ml == Decimal("30.00")
    # What was typed is kept, on a new form: sent deliberately now, it logs the pass.
    [fresh] = re.findall(r'name="form_token" value="([0-9a-f-]{36})"', content)
    assert fresh != data["form_token"]
    assert 'value="0.5 mm"' in content
    doctor.post(url, data | {"form_token": fresh})
    assert session.passes.count() == 1


def test_a_pass_form_of_one_session_sent_to_another_is_refused_with_a_new_form(
    doctor, session, practitioner, pigments, on_the_day, session_day
):
    doctor.force_login(practitioner)
    services.session_start(session=session, by=practitioner)
    data = posted_pass(pigments, form_token=logged_form(doctor, session))
    doctor.post(reverse("sessions_app:pass_add", args=[session.public_id]), data)
    colleague = make_staff(role="practitioner", locations=[session.appointment.location])
    other = services.session_open(
        appointment=make_appointment(
            client=make_client(location=session.appointment.location),
            practitioner=colleague,
            room=RoomFactory(location=session.appointment.location),
            kind="session",
            day=session_day,
            at=time(9, 30),
        ),
        by=colleague,
    )
    services.session_override_gate(
        session=other, by=_manager_of(session), reason="Intake reviewed by phone this morning"
    )
    response = doctor.post(reverse("sessions_app:pass_add", args=[other.public_id]), data)
    content = response.content.decode()
    assert response.status_code == 200
    assert "This form was already used in another session" in content
    assert not other.passes.exists()
    [fresh] = re.findall(r'name="form_token" value="([0-9a-f-]{36})"', content)
    assert fresh != data["form_token"]


def _manager_of(session):
    return make_staff(role="manager", locations=[session.appointment.location])
