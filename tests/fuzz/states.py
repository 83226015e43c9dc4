"""Records in the states whose forms a URL's sample page does not show: a session log still
open, one not started, an appointment whose log is not opened, a draft consultation and a
signed-off session of a course with a session left to book. The form fuzzer and the
cross-location test point those URLs at them."""

from dataclasses import dataclass
from datetime import time

from consultations import services as consultation_services
from consultations.models import Consultation
from scheduling.models import Appointment
from scheduling.services import course_create
from sessions_app import services as session_services
from sessions_app.models import PigmentationSession
from tests.factories import (
    RoomFactory,
    make_appointment,
    make_client,
    make_ready_for_smp,
    make_started_session,
    next_weekday,
)


@dataclass(frozen=True)
class FormStates:
    in_progress: PigmentationSession
    not_started: PigmentationSession
    not_opened: Appointment
    draft: Consultation
    course_session: PigmentationSession


def build_form_states(*, location, practitioner) -> FormStates:
    in_progress = make_started_session(practitioner=practitioner, location=location)
    room = RoomFactory(location=location)
    ready = make_client(location=location)
    make_ready_for_smp(client=ready, practitioner=practitioner)
    not_started = session_services.session_open(
        appointment=make_appointment(
            client=ready,
            practitioner=practitioner,
            room=room,
            kind="session",
            day=next_weekday(2, weeks=2),
            at=time(11),
        ),
        by=practitioner,
    )
    not_opened = make_appointment(
        client=ready,
        practitioner=practitioner,
        room=room,
        kind="session",
        day=next_weekday(4, weeks=2),
        at=time(11),
    )
    draft = consultation_services.consultation_start(client=ready, by=practitioner)
    course_session = make_course_session(location=location, practitioner=practitioner)
    return FormStates(in_progress, not_started, not_opened, draft, course_session)


def make_course_session(*, location, practitioner) -> PigmentationSession:
    """A signed-off session of a course with sessions left to book: its page proposes the
    next one."""
    in_course = make_client(location=location)
    return make_started_session(
        practitioner=practitioner,
        location=location,
        client=in_course,
        sign_off=True,
        weekday=1,
        course=course_create(client=in_course, by=practitioner, planned_sessions=3),
    )
