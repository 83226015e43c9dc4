"""What happens at a demo appointment whose time has come, through the services the app's
pages call: the front desk checks the client in, the practitioner records the consultation
(photos, design, plan) or keeps the session log (gate, passes, notes, photos, sign-off)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from consultations import services as consultations
from consultations.design import validate_design
from consultations.designs import design_approve, design_save_version
from consultations.models import Consultation
from dashboard.demo_clinic.media import scalp_photo, signature
from dashboard.demo_clinic.records import TABLET_ADDRESS
from dashboard.demo_clinic.stock import Shelf
from scheduling.models import Appointment
from scheduling.services import appointment_set_status
from sessions_app import services as sessions
from sessions_app.models import PigmentationSession


@dataclass
class Assessment:
    """What the practitioner records at a consultation."""

    fields: dict
    photos: tuple[str, ...] = ()  # angles photographed (needs the photo consent)
    design: dict | None = None  # drawn over the first photo, then approved by the client
    plan: dict | None = None  # the treatment plan as the practitioner edits it
    goals: list[dict] = field(default_factory=list)


# A natural hairline with soft temple points, the front and mid-scalp built up and the
# crown filled: the shape of a Norwood IV client's first design.
NORWOOD_IV_DESIGN = {
    "format": 1,
    "hairline": {
        "style": "natural",
        "points": [[0.2, 0.34], [0.35, 0.29], [0.5, 0.27], [0.65, 0.29], [0.8, 0.34]],
    },
    "temples": [[0.18, 0.42], [0.82, 0.42]],
    "zones": [
        {
            "zone": "front_hairline",
            "points": [[0.22, 0.33], [0.78, 0.33], [0.74, 0.42], [0.26, 0.42]],
            "density": "light",
            "shade": "2",
        },
        {
            "zone": "mid_scalp",
            "points": [[0.26, 0.42], [0.74, 0.42], [0.7, 0.62], [0.3, 0.62]],
            "density": "medium",
            "shade": "2",
        },
        {
            "zone": "crown",
            "points": [[0.35, 0.62], [0.65, 0.62], [0.6, 0.8], [0.4, 0.8]],
            "density": "dense",
            "shade": "3",
        },
    ],
    "notes": "Keep the hairline soft and slightly irregular; age-appropriate recession.",
}


def check_in(appointment: Appointment, *, desk) -> Appointment:
    return appointment_set_status(
        appointment=appointment, by=desk, status=Appointment.Status.CHECKED_IN
    )


def consultation_hold(
    appointment: Appointment, *, by, assessment: Assessment, finished: bool
) -> Consultation:
    """The consultation of a checked-in appointment: a draft while it is still going on,
    completed with its photos, design and plan once its time is over."""
    client = appointment.client
    consultation = consultations.consultation_start(client=client, by=by, appointment=appointment)
    consultation = consultations.consultation_save_draft(
        consultation=consultation, by=by, data=assessment.fields
    )
    photos = []
    for n, angle in enumerate(assessment.photos):
        saved, refused = consultations.consultation_photos_add(
            consultation=consultation,
            by=by,
            files=[scalp_photo(client.pk * 10 + n, f"{angle}.jpg")],
            angle=angle,
            kind="baseline",
        )
        if refused:
            raise ValueError(f"Demo photo refused: {refused}")
        photos.extend(saved)
    if not finished:
        return consultation
    consultation = consultations.consultation_acknowledge_flags(consultation=consultation, by=by)
    if assessment.design is not None:
        version = design_save_version(
            consultation=consultation,
            by=by,
            photo=photos[0],
            design=validate_design(assessment.design),
        )
        design_approve(
            plan=version,
            witness=by,
            typed_name=client.full_name,
            signature_data_url=signature(client.pk + 7),
            ip_address=TABLET_ADDRESS,
        )
    consultation = consultations.consultation_complete(consultation=consultation, by=by)
    if assessment.plan is not None:
        consultations.plan_update(
            plan=consultation.plan, by=by, data=assessment.plan, goals=assessment.goals
        )
    return consultation


# Session 1 of a course, pass by pass: a light foundation with the test shade, then density,
# then a fine blend of the hairline (DESIGN.md: layering and blending).
def first_session_passes(shelf: Shelf) -> list[dict]:
    common = {"depth": "0.4–0.6 mm", "machine": "Wireless pen", "machine_settings": "8 V"}
    return [
        {
            **common,
            "zones": ["front_hairline", "temples"],
            "needle": shelf.hairline,
            "pigment_lot": shelf.light,
            "dilution": "1:4",
            "density": "light",
            "shade": "1",
            "duration_minutes": 60,
            "pigment_ml": Decimal("0.40"),
            "notes": "Foundation along the drawn hairline; two trial dilutions, 1:4 kept.",
        },
        {
            **common,
            "zones": ["mid_scalp", "crown"],
            "needle": shelf.density,
            "pigment_lot": shelf.light,
            "dilution": "1:3",
            "density": "medium",
            "shade": "1",
            "duration_minutes": 90,
            "pigment_ml": Decimal("0.60"),
            "notes": "Even spread, impressions 1–2 mm apart.",
        },
        {
            **common,
            "zones": ["front_hairline"],
            "needle": shelf.fine,
            "pigment_lot": shelf.medium,
            "dilution": "1:5",
            "density": "light",
            "shade": "2",
            "duration_minutes": 30,
            "pigment_ml": Decimal("0.15"),
            "notes": "Fine blend of the hairline edge so it fades out naturally.",
        },
    ]


def session_hold(
    appointment: Appointment, *, by, shelf: Shelf, finished: bool
) -> PigmentationSession:
    """The log of a checked-in session: started through the safety gate, its first passes
    logged while it is going on; all of them, notes, after photos and sign-off once its time
    is over (signing off completes the appointment, which schedules the aftercare)."""
    session = sessions.session_open(appointment=appointment, by=by)
    session = sessions.session_start(session=session, by=by)
    _session_photos(session, by=by, stage="before")
    passes = first_session_passes(shelf)
    for data in passes if finished else passes[:2]:
        sessions.pass_add(session=session, by=by, data=data)
    if not finished:
        return session
    _session_photos(session, by=by, stage="after")
    sessions.session_save_notes(
        session=session,
        by=by,
        data={
            "numbing": "Topical numbing cream, 30 minutes before",
            "pain": 3,
            "skin_reaction": PigmentationSession.SkinReaction.REDNESS,
            "bleeding": PigmentationSession.Bleeding.PINPOINT,
            "client_comfort": "Comfortable; one break after the second pass",
            "next_session_advice": (
                "Check the healed shade: move to shade 2 at 1:3 over the mid-scalp if the "
                "foundation healed light."
            ),
            "notes": "Mild redness as expected. Client happy with the hairline position.",
        },
    )
    return sessions.session_sign_off(session=session, by=by)


def _session_photos(session: PigmentationSession, *, by, stage: str) -> None:
    for n, angle in enumerate(("front", "top")):
        seed = session.client_id * 10 + n + (5 if stage == "after" else 0)
        _saved, refused = sessions.session_photos_add(
            session=session,
            by=by,
            files=[scalp_photo(seed, f"{stage}-{angle}.jpg")],
            stage=stage,
            angle=angle,
        )
        if refused:
            raise ValueError(f"Demo photo refused: {refused}")


def follow_up(day: date) -> dict:
    return {"decision": "thinking", "follow_up_on": day}
