"""How staff pages name a message: its kind and, in words, what its step says."""

import pytest

from aftercare.kinds import Kind, message_label


@pytest.mark.parametrize(
    ("kind", "step", "label"),
    [
        (Kind.BOOKING_CONFIRMATION, "booked", "Booking confirmation"),
        (Kind.APPOINTMENT_REMINDER, "48h", "Reminder, 48 hours before"),
        (Kind.APPOINTMENT_REMINDER, "24h", "Reminder, 24 hours before"),
        (Kind.APPOINTMENT_REMINDER, "1h", "Reminder, 1 hour before"),
        (Kind.APPOINTMENT_REMINDER, "24h-m2", "Reminder, 24 hours before the new time (2nd move)"),
        (Kind.RESCHEDULE_NOTICE, "move-1", "Reschedule notice, 1st move"),
        (Kind.CANCELLATION_NOTICE, "cancelled", "Cancellation notice"),
        (Kind.NO_SHOW_FOLLOW_UP, "no-show", "No-show follow-up"),
        (Kind.AFTERCARE, "day4-s12", "Aftercare step, day 4"),
        (Kind.AFTERCARE, "day0-s7", "Aftercare step, day 0"),
        (Kind.HEALING_CHECK, "healing", "Healing check"),
        (Kind.NEXT_SESSION_NUDGE, "after-31", "Next-session nudge"),
        (Kind.CONSULTATION_FOLLOW_UP, "follow-up", "Consultation follow-up"),
        (Kind.TOUCH_UP_RECALL, "recall-1", "1st touch-up recall"),
        (Kind.TOUCH_UP_RECALL, "recall-3", "3rd touch-up recall"),
    ],
)
def test_a_message_is_named_by_its_kind_and_its_step_in_words(kind, step, label):
    assert message_label(kind, step) == label


def test_a_step_of_no_known_shape_is_kept_beside_the_kind():
    assert message_label(Kind.TOUCH_UP_RECALL, "legacy-7") == "Touch-up recall (legacy-7)"
    assert message_label(Kind.APPOINTMENT_REMINDER, "") == "Appointment reminder"
