"""The export reads each kind of record once, however long the client's history."""

import json
import zipfile
from datetime import time

import pytest
import time_machine

from clients.consent.services import consent_withdraw
from clients.intake.services import flag_clear, intake_mark_reviewed
from privacy.export import client_export_zip
from sessions_app import services as sessions
from smp_clinic.lib.tz import local_datetime
from tests.factories import (
    RoomFactory,
    complete_appointment,
    jpeg_upload,
    make_appointment,
    make_consultation,
    make_design,
    make_intake,
    make_photo,
    make_signed_consent,
    next_weekday,
    pdf_upload,
)


def grow_history(client_obj, practitioner, location, rounds: range) -> None:
    """Per round: an intake with a cleared flag and its GP letter, a photo consent (the
    one before withdrawn), a photo, a consultation (which makes its plan) and a design, and
    a signed-off session with a pass, a photo, an amendment and a healing check; the
    sessions send their aftercare messages."""
    room = RoomFactory(location=location)
    for n in rounds:
        # Each round on its own day, so the newest intake is always the one made last.
        day = next_weekday(3, weeks=3 * n)
        with time_machine.travel(local_datetime(day, time(8), location.tz)):
            intake = make_intake(client=client_obj, by=practitioner, yes=["blood_thinners"])
            flag_clear(
                flag=intake.flags.get(), by=practitioner, note="GP agrees", document=pdf_upload()
            )
            intake_mark_reviewed(intake=intake, by=practitioner)
            if n > rounds.start:
                consent_withdraw(
                    consent=client_obj.signed_consents.get(
                        version__template__kind="photos", withdrawn_at__isnull=True
                    ),
                    by=practitioner,
                    reason="Asked to sign again.",
                )
            make_signed_consent(client=client_obj, kind="photos", witness=practitioner)
            make_photo(client=client_obj, by=practitioner)
            consultation = make_consultation(client=client_obj, practitioner=practitioner)
            make_design(consultation=consultation, by=practitioner)
            appointment = make_appointment(
                client=client_obj,
                practitioner=practitioner,
                room=room,
                kind="session",
                day=day,
                at=time(9, 30),
            )
        with time_machine.travel(local_datetime(day, time(9, 35), location.tz)):
            complete_appointment(appointment, by=practitioner)
            session = appointment.pigmentation_session
            sessions.session_photos_add(
                session=session,
                by=practitioner,
                files=[jpeg_upload()],
                stage="after",
                angle="front",
            )
            sessions.session_amend(
                session=session,
                by=practitioner,
                field="pain",
                new_value="3",
                reason="The client said three afterwards.",
            )
            sessions.healing_check_record(
                session=session,
                by=practitioner,
                data={"rating": 4, "healed_shade": "as_intended", "coverage": "even"},
            )


def read_export(archive_file) -> tuple[dict, list[str]]:
    with archive_file, zipfile.ZipFile(archive_file) as archive:
        return json.loads(archive.read("client.json")), archive.namelist()


# The 19 kinds of record the archive holds (intakes and their flags, GP letters, consents,
# photos, appointments, courses, consultations, plans and their goals, designs,
# consultation photos, sessions, passes, amendments, healing checks, session photos,
# messages), then the public ids of the 8 kinds they point at and the export does not hold
# (staff, locations, rooms, appointment types, consent texts, needles, pigment lots,
# aftercare steps).
EXPORT_QUERIES = 27


@pytest.mark.parametrize("rounds", [1, 3])
def test_the_export_costs_the_same_few_queries_for_a_long_history(
    smp_client, practitioner, location, rounds, django_assert_num_queries
):
    grow_history(smp_client, practitioner, location, range(rounds))
    with django_assert_num_queries(EXPORT_QUERIES):
        archive_file = client_export_zip(client=smp_client)
    record, names = read_export(archive_file)
    assert len(record["sessions"]) == rounds
    assert len(record["consultations"]) == rounds
    assert all(c["treatment_plan"]["session_goals"] for c in record["consultations"])
    assert len(record["appointments"]) == rounds
    assert len(record["flag_clearances"]) == rounds
    assert len(record["consents"]) == rounds + 1  # the photo consents and one treatment
    assert sum(len(s["photos"]) for s in record["sessions"]) == rounds
    assert sum(len(s["amendments"]) for s in record["sessions"]) == rounds
    assert sum(len(s["healing_checks"]) for s in record["sessions"]) == rounds
    assert record["messages"]
    for folder, count in [
        ("consents/", 2 * (rounds + 1)),  # a PDF and a signature each
        ("gp-letters/", rounds),
        ("designs/", rounds),
        ("messages/", sum(1 for m in record["messages"] if m.get("email_file"))),
    ]:
        assert sum(1 for name in names if name.startswith(folder)) == count, folder
    assert {p["file"] for p in record["photos"]} <= set(names)
    session = record["sessions"][0]
    assert session["client"] == str(smp_client.public_id)
    assert session["practitioner"] == str(practitioner.public_id)
    assert session["passes"][0]["pigment"].startswith("Scalp Ink")
