"""Every URL that names an object, asked for another location's object by every role of this
location: refused, and nothing saved.

The objects are built at location A for clients known only at A (tests/url_samples.py); the
requests come from the front desk, a practitioner and a manager of location B alone, as GET
and as POST. Each must answer 403, 404 or 405 and change or add no row (tests/fuzz/rows.py).
Clinical reads follow the client (a practitioner may read the whole history of a client
known at their location, sessions held elsewhere included), so the rule here is about
clients who are not known at B at all: none of their records opens there.

A POST carries what a browser would send: the URL's form, read (tests/fuzz/html_forms.py)
from the page it is on as someone of location A who may use it, with what a person types
into it. That body is first posted as that person, in a transaction rolled back, and must
write: so when location B's post of it changes nothing, the object check refused it, not
the form's validation.

So that the test can fail, each URL is then asked for again by the same people given
location A as well: every role the access table lets in must then reach it.
"""

import json
from contextlib import nullcontext
from datetime import timedelta
from urllib.parse import urlencode

import time_machine
from django.core.cache import cache
from django.db import transaction
from django.test import Client, TestCase
from django.utils import timezone

from accounts.roles import Role
from accounts.services import user_deactivate, user_invite
from aftercare.models import OutboundMessage
from clients.consent.selectors import latest_version
from sessions_app.models import PigmentationSession
from sessions_app.services import session_open
from tests import access_table
from tests.factories import (
    SAMPLE_DESIGN,
    LocationFactory,
    RoomFactory,
    jpeg_upload,
    make_appointment,
    make_client,
    make_consultation,
    make_intake,
    make_photo,
    make_ready_for_smp,
    make_signed_consent,
    make_staff,
    next_weekday,
    pdf_upload,
    signature_data_url,
)
from tests.fuzz import rows
from tests.fuzz.html_forms import controls_of, form_controls, get_forms
from tests.fuzz.states import build_form_states
from tests.fuzz.test_form_fuzz import FORM_CLASSES, QUERY, SOURCE
from tests.test_access import outcome
from tests.url_samples import build_url_samples
from tests.urls_enumeration import build_url, named_patterns

# URL arguments that name an object belonging to a location or to a client.
SCOPED_KWARGS = {
    "client_id",
    "intake_id",
    "flag_id",
    "clearance_id",
    "consent_id",
    "photo_id",
    "consultation_id",
    "appointment_id",
    "session_id",
    "pass_id",
    "message_id",
    "location_id",
    "room_id",
    "time_off_id",
    "user_id",
}
# Arguments that name nothing of a location: the clinic's shared settings and stock
# (consent texts, appointment types, aftercare steps and templates, pigment products and
# lots) and the signed tokens that are their own credential.
UNSCOPED_KWARGS = {
    "template_id",
    "type_id",
    "step_id",
    "message_kind",
    "product_id",
    "lot_id",
    "uidb64",
    "token",
    "feed_token",
    "healing_token",
    "unsubscribe_token",
    "preferences_token",
    # Qualifiers of a scoped object, never an object of their own.
    "section",
    "kind",
    "size",
    "version",
}
REFUSED = {403, 404, 405}
ROLES_OF_B = (Role.FRONT_DESK.value, Role.PRACTITIONER.value, Role.MANAGER.value)

# What a person types into a form, beyond what its page fills in. Each is called for every
# post, so an upload is a fresh file each time.
TYPED = {
    "accounts:staff_edit": lambda: {"full_name": "Renamed Colleague"},
    "clients:consent_sign": lambda: {
        "version": latest_version(kind="treatment").public_id,
        "typed_name": "Alma Onlyhere",
        "signature": signature_data_url(),
        "agree": "on",
    },
    "clients:consent_withdraw": lambda: {"reason": "Asked by phone", "confirm": "on"},
    "clients:flag_clear": lambda: {"note": "GP confirms.", "document": pdf_upload()},
    "clients:intake_new": lambda: {"other": "nothing else", "confirm": "on"},
    "clients:photo_detail": lambda: {"note": "Seen from the left"},
    "clients:photo_review": lambda: {"form-0-note": "Seen from the left"},
    "consultations:design": lambda: {"design": json.dumps(SAMPLE_DESIGN)},
    "consultations:design_approve": lambda: {
        "typed_name": "Alma Onlyhere",
        "signature": signature_data_url(),
    },
    "consultations:photos": lambda: {"angle": "front"},
    "consultations:plan": lambda: {"notes": "Darker at the crown"},
    "privacy:erase": lambda: {"confirmation": "Nell Nobookings"},
    "scheduling:appointment_cancel": lambda: {"reason": "client", "details": "Moved away"},
    "scheduling:appointment_status": lambda: {"status": "confirmed"},
    "scheduling:location_edit": lambda: {"loc-name": "Central Clinic East"},
    "scheduling:room_create": lambda: {"name": "Room 9"},
    "scheduling:room_edit": lambda: {"name": "Consultation room 2"},
    "sessions_app:amend": lambda: {"new_value": "corrected", "reason": "Typo at the chair"},
    "sessions_app:healing_check": lambda: {
        "rating": "4",
        "healed_shade": "as_intended",
        "coverage": "even",
    },
    "sessions_app:override": lambda: {"reason": "GP letter seen on paper"},
    "sessions_app:photos_add": lambda: {"angle": "front"},
}
# When a form is sent, from its session's start: a log is started (or its failed gate
# overridden) on the day, a healing check recorded after the session.
FROM_SESSION_START = {
    "sessions_app:start": timedelta(minutes=-5),
    "sessions_app:override": timedelta(minutes=-5),
    "sessions_app:healing_check": timedelta(days=7),
}
# Pages whose form shows once their own search form (method GET) is sent as it stands: the
# course planner proposes the sessions it then books.
SEARCH_FIRST = {"scheduling:course_plan"}
# URLs whose form a valid post from location A rightly leaves every fingerprinted row as it
# was, with why.
WRITES_ELSEWHERE = {
    "accounts:staff_unlock": "django-axes' own table (not fingerprinted) holds the lockouts",
}

PATTERNS = [
    p for p in named_patterns() if not p.name.startswith("admin:") and SCOPED_KWARGS & set(p.kwargs)
]


class CrossLocationTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.here = LocationFactory(name="Central Clinic")
        desk_here = make_staff(role=Role.FRONT_DESK, locations=[cls.here])
        cls.theirs = make_client(
            location=cls.here, by=desk_here, first_name="Alma", last_name="Onlyhere"
        )
        cls.samples = build_url_samples(location=cls.here, smp_client=cls.theirs)
        cls.elsewhere = LocationFactory(name="Northside Clinic", time_zone="Europe/Dublin")
        cls.people = {
            role: make_staff(role=role, locations=[cls.elsewhere], email=f"{role}@north.test")
            for role in ROLES_OF_B
        }
        cls.people_here = {
            role: make_staff(role=role, locations=[cls.here], email=f"{role}@central.test")
            for role in ROLES_OF_B
        }
        cls.overrides = cls._records_in_the_forms_state()

    @classmethod
    def _records_in_the_forms_state(cls) -> dict[str, dict]:
        """URL arguments pointing at records whose form a valid post may use: the sample
        records are in the wrong state for some (a session signed off, a consultation
        completed, a photo a design is drawn on, a client with an appointment to come)."""
        manager = cls.people_here[Role.MANAGER.value]
        states = build_form_states(
            location=cls.here, practitioner=cls.people_here[Role.PRACTITIONER.value]
        )
        in_progress = {
            "session_id": states.in_progress.public_id,
            "pass_id": states.in_progress.passes.get().public_id,
        }
        invited = user_invite(
            invited_by=manager,
            email="invited@central.test",
            full_name="Ivy Invited",
            role=Role.FRONT_DESK,
            locations=[cls.here],
        ).user
        gone = make_staff(role=Role.FRONT_DESK, locations=[cls.here], email="gone@central.test")
        user_deactivate(user=gone, by=manager)
        sent = OutboundMessage.objects.filter(client=cls.theirs).exclude(
            public_id=cls.samples["message_id"]
        )[:1]
        OutboundMessage.objects.filter(pk__in=sent).update(
            status=OutboundMessage.Status.SENT, sent_at=timezone.now()
        )
        spare_photo = make_photo(client=cls.theirs, by=manager, angle="crown")
        no_bookings = make_client(
            location=cls.here, by=manager, first_name="Nell", last_name="Nobookings"
        )
        # The sample client has a medical flag that blocks sessions: booking a course, or
        # a session's photos, needs a client ready for SMP.
        ready = states.draft.client
        agreed = make_client(location=cls.here, by=manager)
        make_ready_for_smp(client=agreed, practitioner=manager)
        planned = make_consultation(client=agreed, practitioner=manager)
        make_signed_consent(client=states.in_progress.client, kind="photos", witness=manager)
        # A log whose safety gate fails (no treatment consent), for the manager's override.
        unconsented = make_client(location=cls.here, by=manager)
        make_intake(client=unconsented, by=manager)
        gated = session_open(
            appointment=make_appointment(
                client=unconsented,
                practitioner=cls.people_here[Role.PRACTITIONER.value],
                room=RoomFactory(location=cls.here),
                kind="session",
                day=next_weekday(3, weeks=3),
            ),
            by=manager,
        )
        return {
            **{
                name: in_progress
                for name in (
                    "sessions_app:pass_add",
                    "sessions_app:pass_delete",
                    "sessions_app:notes",
                    "sessions_app:photos_add",
                )
            },
            "sessions_app:start": {"session_id": states.not_started.public_id},
            "sessions_app:override": {"session_id": gated.public_id},
            "sessions_app:open": {"appointment_id": states.not_opened.public_id},
            "sessions_app:book_next": {"session_id": states.course_session.public_id},
            "consultations:detail": {"consultation_id": states.draft.public_id},
            "consultations:acknowledge": {"consultation_id": states.draft.public_id},
            "accounts:staff_resend_invite": {"user_id": invited.public_id},
            "accounts:staff_reactivate": {"user_id": gone.public_id},
            "aftercare:message_resend": {"message_id": sent[0].public_id},
            "clients:photo_delete": {"photo_id": spare_photo.public_id},
            "clients:archive": {"client_id": no_bookings.public_id},
            # The sample client signed the photo consent already.
            "clients:consent_sign": {"kind": "treatment"},
            "privacy:erase": {"client_id": no_bookings.public_id},
            "scheduling:course_plan": {"client_id": ready.public_id},
            "consultations:plan_book": {"consultation_id": planned.public_id},
        }

    def _as(self, role: str, people=None) -> Client:
        http = Client()
        http.force_login((people or self.people)[role])
        return http

    def _url(self, pattern) -> str:
        samples = {**self.samples, **self.overrides.get(pattern.name, {})}
        url = build_url(pattern, samples)
        if pattern.name in QUERY:
            url += "?" + urlencode(QUERY[pattern.name](samples))
        return url

    def _poster(self, url_name: str) -> str:
        """Who at location A posts the form: the first role of the table that may."""
        allowed = access_table.expected_roles(url_name)
        return next(role for role in reversed(ROLES_OF_B) if role in allowed)

    def _form(self, pattern, url: str) -> dict | None:
        """The controls of the URL's form on its page (or the page its form is on), as the
        person of location A who would post it sees them; None when no page has one."""
        source = SOURCE.get(pattern.name)
        page_url = url
        if source:
            page_pattern = next(p for p in named_patterns() if p.name == source)
            page_url = build_url(page_pattern, {**self.samples, **self.overrides.get(source, {})})
        html = self._page(pattern.name, page_url)
        if pattern.name in SEARCH_FIRST:
            [search] = get_forms(html)
            query = {name: control.values for name, control in search.controls.items()}
            page_url = url = f"{url}?{urlencode(query, doseq=True)}"
            html = self._page(pattern.name, page_url)
        controls = form_controls(html, page_url=page_url, url=url, url_name=pattern.name)
        if pattern.name in FORM_CLASSES:
            controls = {**controls_of(FORM_CLASSES[pattern.name]), **(controls or {})}
        return controls

    def _page(self, url_name: str, page_url: str) -> str:
        with self._at(url_name), transaction.atomic():
            page = self._as(self._poster(url_name), self.people_here).get(page_url)
            transaction.set_rollback(True)
        if page.status_code == 200 and "html" in page.get("Content-Type", ""):
            return page.content.decode()
        return ""

    @staticmethod
    def _body(url_name: str, controls: dict | None) -> dict:
        """What a browser sends: every control as the page filled it, the first submit
        button, a photo in each file input, and what a person types (TYPED)."""
        body = {}
        for name, control in (controls or {}).items():
            if control.kind == "file":
                body[name] = [jpeg_upload(f"{name}.jpg")]
            elif control.kind in ("button", "submit"):
                body.setdefault("__button__", (name, control.options[0]))
            elif control.values:
                body[name] = list(control.values)
            elif control.kind == "radio" and control.options:
                body[name] = control.options[-1]
        if "__button__" in body:
            name, value = body.pop("__button__")
            body[name] = value
        return {**body, **TYPED.get(url_name, dict)()}

    def _at(self, url_name: str):
        """The moment the URL's form is sent (FROM_SESSION_START), or now."""
        if url_name not in FROM_SESSION_START:
            return nullcontext()
        public_id = {**self.samples, **self.overrides.get(url_name, {})}["session_id"]
        session = PigmentationSession.objects.select_related("appointment").get(public_id=public_id)
        moment = session.appointment.start + FROM_SESSION_START[url_name]
        return time_machine.travel(moment, tick=False)

    def _writes_for_location_a(self, url_name: str, url: str, controls: dict) -> list[str]:
        role = self._poster(url_name)
        cache.clear()
        with self._at(url_name), transaction.atomic():
            http = self._as(role, self.people_here)
            before = rows.snapshot()
            response = http.post(url, self._body(url_name, controls))
            after = rows.snapshot()
            transaction.set_rollback(True)
        if rows.changed(before, after) or rows.added(before, after):
            return []
        if url_name in WRITES_ELSEWHERE:
            return []
        return [
            f"the body posted as {role} of location A wrote nothing ({response.status_code}): "
            "complete it in TYPED, or point the URL at a record its form can change"
        ]

    def _refused_without_a_trace(self, url_name: str, url: str, controls) -> list[str]:
        problems = []
        for role in ROLES_OF_B:
            for method in ("get", "post"):
                cache.clear()
                with self._at(url_name):
                    http = self._as(role)
                    before = rows.snapshot()
                    if method == "get":
                        response = http.get(url)
                    else:
                        response = http.post(url, self._body(url_name, controls))
                    after = rows.snapshot()
                touched = {**rows.changed(before, after), **rows.added(before, after)}
                if response.status_code not in REFUSED:
                    problems.append(f"{method.upper()} as {role}: {response.status_code}")
                if touched:
                    problems.append(f"{method.upper()} as {role} wrote {sorted(touched)}")
        return problems

    def _reached_once_given_the_location(self, url_name: str, url: str) -> list[str]:
        problems = []
        allowed = access_table.expected_roles(url_name)
        for role in ROLES_OF_B:
            if role not in allowed:
                continue
            person = self.people[role]
            person.locations.add(self.here)
            try:
                response = self._as(role).get(url)
                if response.status_code == 404 or outcome(response) != "allowed":
                    problems.append(f"GET as {role} given location A: {response.status_code}")
            finally:
                person.locations.remove(self.here)
        return problems

    def _check(self, pattern) -> None:
        unknown = set(pattern.kwargs) - SCOPED_KWARGS - UNSCOPED_KWARGS
        assert not unknown, f"say whether {sorted(unknown)} of {pattern.name} is location-scoped"
        url = self._url(pattern)
        controls = self._form(pattern, url)
        problems = self._refused_without_a_trace(pattern.name, url, controls)
        if controls is not None:
            problems += self._writes_for_location_a(pattern.name, url, controls)
        problems += self._reached_once_given_the_location(pattern.name, url)
        assert problems == [], f"{pattern.name} ({url})"


def test_a_pigment_lot_shared_by_the_clinic_shows_no_client_of_another_location(
    client, location, other_location, practitioner
):
    """Lots are the clinic's stock, so their pages open everywhere; who received one is a
    client record, and only the manager of where it was used sees it."""
    from django.urls import reverse

    from tests.factories import make_started_session

    session = make_started_session(practitioner=practitioner, location=location, sign_off=True)
    received = session.client
    lot = session.passes.get().pigment_lot
    pages = [
        reverse("sessions_app:lot", args=[lot.public_id]),
        reverse("sessions_app:lot_recall_csv", args=[lot.public_id]),
    ]
    manager = make_staff(role=Role.MANAGER, locations=[other_location])
    client.force_login(manager)
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200
        assert received.email not in response.content.decode()
    manager.locations.add(location)
    for page in pages:
        assert received.email in client.get(page).content.decode()


def _make_test(pattern):
    def test(self):
        self._check(pattern)

    test.__doc__ = f"{pattern.name} refuses location B the objects of a client known only at A."
    return test


for _pattern in PATTERNS:
    setattr(CrossLocationTest, "test_" + _pattern.name.replace(":", "__"), _make_test(_pattern))


def test_the_cross_location_test_covers_the_urls_that_name_objects():
    names = {p.name for p in PATTERNS}
    assert {"clients:photo_file", "sessions_app:session", "accounts:staff_edit"} <= names
    assert len(names) > 50


def test_the_body_tables_name_only_urls_the_test_covers():
    names = {p.name for p in PATTERNS}
    tables = [TYPED, FROM_SESSION_START, SEARCH_FIRST, WRITES_ELSEWHERE]
    assert sorted({name for table in tables for name in table} - names) == []
