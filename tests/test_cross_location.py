"""Every URL that names an object, asked for another location's object by every role of this
location: refused, and nothing saved.

The objects are built at location A for clients known only at A (tests/url_samples.py); the
requests come from the front desk, a practitioner and a manager of location B alone, as GET
and as POST. Each must answer 403, 404 or 405 and change or add no row (tests/fuzz/rows.py).
Clinical reads follow the client (a practitioner may read the whole history of a client
known at their location, sessions held elsewhere included), so the rule here is about
clients who are not known at B at all: none of their records opens there.

So that the test can fail, each URL is then asked for again by the same people given
location A as well: every role the access table lets in must then reach it.
"""

from django.test import Client, TestCase

from accounts.roles import Role
from tests import access_table
from tests.factories import LocationFactory, make_client, make_staff
from tests.fuzz import rows
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

    def _as(self, role: str) -> Client:
        http = Client()
        http.force_login(self.people[role])
        return http

    def _refused_without_a_trace(self, url_name: str, url: str) -> list[str]:
        problems = []
        for role in ROLES_OF_B:
            http = self._as(role)
            for method in ("get", "post"):
                before = rows.snapshot()
                response = getattr(http, method)(url)
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
        url = build_url(pattern, self.samples)
        problems = self._refused_without_a_trace(pattern.name, url)
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
