"""Fixtures of the outbox tests: a fixed clock, a pigmentation room, and a dispatcher run
whose send tasks execute (Celery is eager in tests) once the claim commits."""

from datetime import UTC, datetime

import pytest
import time_machine

from aftercare.models import OutboundMessage
from aftercare.services.sending import outbox_dispatch

# A Monday in winter (UTC = London time), well away from the DST changes unless a test
# travels there on purpose.
MONDAY_9AM = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY_9AM, tick=False) as traveller:
        yield traveller


@pytest.fixture
def dispatch(django_capture_on_commit_callbacks):
    def run(**options) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return outbox_dispatch(**options)

    return run


def rows(**filters) -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(**filters).order_by("due_at", "pk"))


def kinds_and_steps(**filters) -> list[tuple[str, str, str]]:
    return [(m.kind, m.step, m.status) for m in rows(**filters)]
