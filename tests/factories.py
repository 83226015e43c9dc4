"""factory-boy factories for the deeper object graphs; people come from conftest fixtures."""

from datetime import time

import factory

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_create_with_password
from locations.models import Location, OpeningHours, Room

TEST_PASSWORD = "correct horse battery staple"


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Clinic {n}")
    time_zone = "Europe/London"

    @factory.post_generation
    def hours(obj, create, extracted, **kwargs):
        if not create:
            return
        for weekday in range(6):
            OpeningHours.objects.create(
                location=obj, weekday=weekday, opens=time(9), closes=time(18)
            )


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    location = factory.SubFactory(LocationFactory)
    name = factory.Sequence(lambda n: f"Room {n}")


def hand_back(http, password: str = TEST_PASSWORD):
    """The staff member takes the tablet back from the client (accounts.handover)."""
    from django.urls import reverse

    return http.post(reverse("accounts:handover"), {"password": password})


def make_staff(
    *,
    role: Role | str = Role.PRACTITIONER,
    locations=(),
    email: str | None = None,
    full_name: str | None = None,
    password: str = TEST_PASSWORD,
) -> User:
    """A staff user made through the real service, so role and group agree."""
    n = User.objects.count() + 1
    return user_create_with_password(
        email=email or f"staff{n}-{role or 'none'}@example.test",
        full_name=full_name or f"Staff Member {n}",
        role=role,
        password=password,
        locations=locations,
    )


_client_counter = iter(range(1, 10**9))


def make_client(*, location=None, by=None, **overrides):
    """A client created through clients.services, so search text and location links exist."""
    from datetime import date

    from clients.services import client_create

    n = next(_client_counter)
    if location is None:
        location = LocationFactory()
    data = {
        "first_name": f"Alex{n}",
        "last_name": "Morgan",
        "email": f"alex{n}@example.test",
        "phone": "",
        "date_of_birth": date(1985, 5, 17),
        "sex": "male",
        "home_location": location,
        "preferred_channel": "email",
        "email_reminders": True,
        "marketing_consent": False,
        **overrides,
    }
    return client_create(by=by, data=data)


def give_rota(practitioner, location, *, days=range(6), start=time(9), end=time(18)):
    """Working hours for a practitioner at a location (Monday to Saturday by default)."""
    from scheduling.models import WorkingHours

    for weekday in days:
        WorkingHours.objects.get_or_create(
            practitioner=practitioner,
            location=location,
            weekday=weekday,
            defaults={"start": start, "end": end},
        )


def next_weekday(weekday: int = 1, *, after=None, weeks: int = 0):
    """The next date with that weekday (0 = Monday) strictly after ``after`` (default today)."""
    from datetime import timedelta

    from django.utils import timezone

    day = (after or timezone.localdate()) + timedelta(days=1)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day + timedelta(weeks=weeks)


def appointment_type(kind: str = "consultation"):
    from scheduling.models import AppointmentType

    return AppointmentType.objects.get(kind=kind)


def make_appointment(
    *, client, practitioner, room, kind="consultation", day=None, at=time(10), by=None, **extra
):
    """An appointment booked through the real service (the rota is set up if missing)."""
    from scheduling.services import appointment_book
    from smp_clinic.lib.tz import local_datetime

    give_rota(practitioner, room.location)
    day = day or next_weekday(1)
    start = local_datetime(day, at, room.location.tz)
    return appointment_book(
        by=by or practitioner,
        client=client,
        appointment_type=appointment_type(kind),
        practitioner=practitioner,
        room=room,
        start=start,
        **extra,
    )


def intake_answers(*, yes=(), dates=None, details=None, other: str = "") -> dict:
    """Answers to the current questionnaire: "no" everywhere except the codes in ``yes``
    (and in ``dates``, {code: date}, for the dated questions)."""
    from clients.intake.questionnaire import Kind
    from clients.intake.versions import questionnaire_current

    dates = dates or {}
    details = details or {}
    answers = {}
    for question in questionnaire_current().questions:
        if question.kind == Kind.TEXT:
            answers[question.code] = {"text": other}
            continue
        said_yes = question.code in yes or question.code in dates
        entry = {"answer": "yes" if said_yes else "no", "detail": details.get(question.code, "")}
        if question.code in dates:
            entry["date"] = dates[question.code]
        answers[question.code] = entry
    return answers


def make_intake(*, client, by, yes=(), dates=None, details=None, filled_by_client=False):
    """A submitted intake, through clients.intake.services so its flags are computed."""
    from clients.intake.services import intake_submit

    return intake_submit(
        client=client,
        by=by,
        answers=intake_answers(yes=yes, dates=dates, details=details),
        filled_by_client=filled_by_client,
    )


def pdf_upload(name: str = "gp-letter.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
    return SimpleUploadedFile(name, content, content_type="application/pdf")


COMPLETE_ASSESSMENT = {
    "concern": "male_pattern",
    "norwood_stage": "IV",
    "fitzpatrick": "III",
    "hair_colour": "dark_brown",
    "scalp_condition": "healthy",
    "desired_outcome": "shaved",
    "hairline_style": "natural",
    "recommended_shade": "Shade 2, 1:3 dilution",
    "recommended_density": "medium",
    "decision": "proceed",
}


def make_consultation(
    *, client, practitioner, appointment=None, complete=True, intake=True, **fields
):
    """A consultation through the services: started, filled, flags acknowledged, completed."""
    from consultations import services

    if intake and not client.medical_intakes.exists():
        make_intake(client=client, by=practitioner)
    consultation = services.consultation_start(
        client=client, by=practitioner, appointment=appointment
    )
    consultation = services.consultation_save_draft(
        consultation=consultation, by=practitioner, data={**COMPLETE_ASSESSMENT, **fields}
    )
    if intake:
        consultation = services.consultation_acknowledge_flags(
            consultation=consultation, by=practitioner
        )
    if complete:
        consultation = services.consultation_complete(consultation=consultation, by=practitioner)
    return consultation


def signature_data_url(*, size=(600, 200), blank: bool = False, background=None) -> str:
    """A PNG data URL as the signature pad sends it: a stroke on a transparent canvas (or
    nothing on it when ``blank``; ``background`` fills the canvas first, e.g. "white")."""
    import base64
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", size, background or (0, 0, 0, 0))
    if not blank:
        draw = ImageDraw.Draw(image)
        width, height = size
        points = [(width * x // 10, height // 2 + (-1) ** x * height // 4) for x in range(1, 10)]
        draw.line(points, fill=(17, 17, 17, 255), width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def make_signed_consent(*, client, kind: str, witness, ip_address: str = "192.0.2.10"):
    """A consent signed through clients.consent.services under the latest text of ``kind``."""
    from clients.consent.selectors import latest_version
    from clients.consent.services import consent_sign

    return consent_sign(
        client=client,
        version=latest_version(kind=kind),
        typed_name=client.full_name,
        signature_data_url=signature_data_url(),
        witness=witness,
        ip_address=ip_address,
        user_agent="pytest",
    )


def jpeg_upload(
    name: str = "scalp.jpg", *, size=(640, 480), color=(150, 110, 90), exif=None, **save
):
    """A real JPEG made with Pillow, as a browser would upload it."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    options = {"quality": 90, **save}
    if exif is not None:
        options["exif"] = exif
    Image.new("RGB", size, color).save(buffer, format="JPEG", **options)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def make_photo(*, client, by, angle: str = "front", kind: str = "baseline", **extra):
    """A photo uploaded through clients.photos.services (the client needs a photo consent)."""
    from clients.photos.services import photo_upload

    return photo_upload(client=client, by=by, file=jpeg_upload(), angle=angle, kind=kind, **extra)


def make_inventory():
    """A pigment lot and a needle lot in stock, through the inventory services."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from sessions_app import inventory
    from sessions_app.models import PigmentProduct

    far = timezone.localdate() + timedelta(days=900)
    product, _ = PigmentProduct.objects.get_or_create(brand="Scalp Ink", name="Shadow", shade="2")
    n = PigmentProduct.objects.count() + product.lots.count()
    lot = inventory.lot_receive(
        product=product, lot_number=f"LOT-{n}", expiry_date=far, volume_ml=Decimal("30")
    )
    needle = inventory.needle_receive(
        brand="Kwadron",
        configuration="1RL",
        diameter_mm=Decimal("0.25"),
        lot_number=f"N-{n}",
        expiry_date=far,
        quantity=20,
    )
    return lot, needle


def make_ready_for_smp(*, client, practitioner):
    """What the safety gate asks of a client: a reviewed intake and a treatment consent."""
    from clients.intake.services import intake_mark_reviewed

    if not client.medical_intakes.filter(reviewed_at__isnull=False).exists():
        intake = make_intake(client=client, by=practitioner)
        intake_mark_reviewed(intake=intake, by=practitioner)
    if not client.signed_consents.filter(version__template__kind="treatment").exists():
        make_signed_consent(client=client, kind="treatment", witness=practitioner)


def pass_data(*, lot, needle) -> dict:
    """What a practitioner enters for one ordinary pass over the crown."""
    from decimal import Decimal

    return {
        "zones": ["crown"],
        "needle": needle,
        "pigment_lot": lot,
        "dilution": "1:3",
        "depth": "0.5 mm",
        "density": "medium",
        "shade": "2",
        "duration_minutes": 30,
        "pigment_ml": Decimal("0.5"),
    }


def log_a_pass(*, session, by):
    from sessions_app import services

    lot, needle = make_inventory()
    services.pass_add(session=session, by=by, data=pass_data(lot=lot, needle=needle))


def _sign_off(*, session, by):
    from sessions_app import services

    services.session_save_notes(
        session=session,
        by=by,
        data={"pain": 2, "bleeding": "none", "skin_reaction": "redness"},
    )
    return services.session_sign_off(session=session, by=by)


def complete_appointment(appointment, *, by):
    """Check in, start and complete, as the clinic does, at the current (travelled) time on
    the appointment's day: a pigmentation session through its log (gate, a pass, sign-off),
    anything else from the calendar."""
    from scheduling.services import appointment_set_status
    from sessions_app import services

    if not appointment.appointment_type.is_pigmentation:
        for status in ("checked_in", "in_progress", "completed"):
            appointment = appointment_set_status(appointment=appointment, by=by, status=status)
        return appointment
    make_ready_for_smp(client=appointment.client, practitioner=by)
    session = services.session_open(appointment=appointment, by=by)
    previous = services.previous_session(session)
    if previous is not None and not previous.healing_checks.exists():
        services.healing_check_record(
            session=previous,
            by=by,
            data={"rating": 4, "healed_shade": "as_intended", "coverage": "even"},
        )
    session = services.session_start(session=session, by=by)
    log_a_pass(session=session, by=by)
    _sign_off(session=session, by=by)
    appointment.refresh_from_db()
    return appointment


def make_started_session(
    *, practitioner, location, client=None, with_pass=True, weekday=3, sign_off=False, course=None
):
    """A client ready for SMP (reviewed intake, treatment consent), a session appointment on
    a coming Thursday, its log opened and started on the day, and one pass logged."""
    from datetime import time

    import time_machine

    from sessions_app import services
    from smp_clinic.lib.tz import local_datetime

    client = client or make_client(location=location)
    make_ready_for_smp(client=client, practitioner=practitioner)
    day = next_weekday(weekday)
    appointment = make_appointment(
        client=client,
        practitioner=practitioner,
        room=RoomFactory(location=location),
        kind="session",
        day=day,
        at=time(9, 30),
        course=course,
    )
    session = services.session_open(appointment=appointment, by=practitioner)
    with time_machine.travel(local_datetime(day, time(9, 25), location.tz)):
        session = services.session_start(session=session, by=practitioner)
        if with_pass:
            log_a_pass(session=session, by=practitioner)
        if sign_off:
            session = _sign_off(session=session, by=practitioner)
    return session


SAMPLE_DESIGN = {
    "format": 1,
    "hairline": {"style": "natural", "points": [[0.22, 0.31], [0.5, 0.27], [0.78, 0.31]]},
    "temples": [[0.2, 0.4], [0.8, 0.4]],
    "zones": [
        {
            "zone": "crown",
            "points": [[0.4, 0.1], [0.6, 0.1], [0.5, 0.2]],
            "density": "medium",
            "shade": "3",
        }
    ],
    "notes": "",
}


def make_design(*, consultation, by, photo=None):
    """A design version drawn over a photo of the consultation's client."""
    from consultations.design import validate_design
    from consultations.designs import design_save_version

    client = consultation.client
    if photo is None:
        from clients.consent.selectors import client_has_valid_consent

        if not client_has_valid_consent(client=client, kind="photos"):
            make_signed_consent(client=client, kind="photos", witness=by)
        photo = make_photo(client=client, by=by)
    return design_save_version(
        consultation=consultation, by=by, photo=photo, design=validate_design(SAMPLE_DESIGN)
    )
