"""Random and hostile values posted into every form of the project (issue 7).

Every named URL is posted to as a role that may use it (signed-link and sign-in pages as
nobody, the two-factor pages as someone with an authenticator), with a form read from the
page a browser would post it from. Hypothesis fills the form's fields with hostile values;
whatever it sends:

* the response is never a server error (the test client re-raises a view's exception);
* a refused submission (an error page, a form shown again with errors) changed and added
  no row;
* an accepted one changed only rows of the kinds that URL is about, never another
  location's rows and never an audit entry already written.

Every search and filter form (method GET) is submitted the same way: never a server error,
and no saved row changed.

Examples are derandomized so CI is repeatable: 8 per POST form, 2 for a URL without a form
and 6 per GET form keep the run under two minutes on two workers. FUZZ_EXAMPLES=200
FUZZ_RANDOM=1 explores.
"""

import os
from urllib.parse import urlencode, urlsplit

from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.db import transaction
from django.test import Client, TestCase
from django.urls import Resolver404, resolve
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from accounts import two_factor
from accounts.handover import UnlockForm
from accounts.roles import Role
from audit.models import AuditEvent
from clients.consent.forms import ConsentSignForm
from privacy.views import ErasureForm
from scheduling.forms import CoursePlanForm
from sessions_app.forms import OverrideForm, SessionPhotoForm
from tests import access_table
from tests.factories import (
    LocationFactory,
    make_client,
    make_staff,
    make_started_session,
)
from tests.fuzz import rows
from tests.fuzz.hostile import submission
from tests.fuzz.html_forms import Control, controls_of, form_controls, get_forms
from tests.fuzz.states import build_form_states
from tests.url_samples import build_url_samples
from tests.urls_enumeration import build_url, named_patterns

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
FORMLESS_EXAMPLES = max(2, EXAMPLES // 4)
GET_EXAMPLES = max(2, EXAMPLES * 3 // 4)
RANDOM = os.environ.get("FUZZ_RANDOM") == "1"

# The technical admin is Django's own and for operators only; its sign-in page is fuzzed.
PATTERNS = [
    p for p in named_patterns() if not p.name.startswith("admin:") or p.name == "admin:login"
]

# Where a browser finds the form that posts to a URL, when that URL has no page of its own.
SOURCE = {
    "accounts:sign_out_everywhere": "accounts:profile",
    "accounts:staff_reactivate": "accounts:staff_edit",
    "accounts:staff_unlock": "accounts:staff_edit",
    "accounts:staff_resend_invite": "accounts:staff_edit",
    "clients:intake_review": "clients:intake_detail",
    "clients:flag_carry_forward": "clients:intake_detail",
    "clients:restore": "clients:detail",
    "consultations:acknowledge": "consultations:detail",
    "consultations:start": "scheduling:appointment",
    "scheduling:appointment_status": "scheduling:appointment",
    "scheduling:feed_regenerate": "scheduling:feed_settings",
    "sessions_app:open": "scheduling:appointment",
    "sessions_app:start": "sessions_app:session",
    "sessions_app:override": "sessions_app:session",
    "sessions_app:pass_add": "sessions_app:session",
    "sessions_app:pass_delete": "sessions_app:session",
    "sessions_app:notes": "sessions_app:session",
    "sessions_app:photos_add": "sessions_app:session",
    "sessions_app:healing_check": "sessions_app:session",
}
# A page whose form only shows with a query (the photos just uploaded travel in it).
QUERY = {"clients:photo_review": lambda samples: {"photo": samples["photo_id"]}}
# The two-factor pages, as someone with an authenticator: the code page while the sign-in
# waits for it, the turning-off page once it has been given.
TWO_FACTOR = {"accounts:two_factor_verify": "pending", "accounts:two_factor_disable": "verified"}
# Pages whose form shows only to someone working at several locations (the location pick).
SEVERAL_LOCATIONS = {"dashboard:today"}

# Forms whose page a GET as the fuzzing role does not show (a tablet hand-over page, a
# dialog filled by script, a log in another state): their fields come from the form class.
FORM_CLASSES = {
    "accounts:handover": UnlockForm,
    "clients:consent_sign": ConsentSignForm,
    "privacy:erase": ErasureForm,
    "scheduling:course_plan": CoursePlanForm,
    "sessions_app:override": OverrideForm,
    "sessions_app:photos_add": SessionPhotoForm,
}

# Kinds of row an accepted submission to a URL may change besides its own app's.
CAUSES = {
    "accounts:login": {"accounts.User"},
    "accounts:password_reset_confirm": {"accounts.User"},
    "accounts:invite_accept": {"accounts.User"},
    "scheduling:feed_regenerate": {"accounts.User"},  # the feed token is the user's
    "scheduling:appointment_cancel": {"aftercare.OutboundMessage"},
    "scheduling:appointment_reschedule": {"aftercare.OutboundMessage"},
    "scheduling:appointment_status": {"aftercare.OutboundMessage"},
    "clients:archive": {"scheduling.Appointment", "aftercare.OutboundMessage"},
    "clients:edit": {"aftercare.OutboundMessage"},
    "aftercare:unsubscribe": {"clients.Client"},
    "aftercare:preferences": {"clients.Client"},
    "privacy:erase": {"*"},  # erasure rewrites the client's records everywhere by design
}
# Refusals that rightly keep part of the input: completing a consultation or signing off a
# session first saves what was typed, so a refused completion does not lose it.
SAVED_BEFORE_REFUSING = {
    "consultations:detail": {"consultations.Consultation"},
    "sessions_app:notes": {"sessions_app.PigmentationSession"},
}

APPS_OF_NAMESPACE = {
    "dashboard": set(),
    "privacy": {"clients"},
    "admin": {"accounts"},
    "scheduling": {"scheduling", "locations"},  # locations and rooms are set up there
}
# Settings of the whole clinic: saving them rightly reaches every location's rows.
CLINIC_WIDE = {
    "aftercare:step_delete",  # a deleted step's pending messages are cancelled everywhere
    "aftercare:step_edit",
    "aftercare:step_create",
    "aftercare:settings",
    "aftercare:template_edit",
}

ERROR_MARKERS = (b'data-testid="form-errors"', b"is-invalid", b"invalid-feedback", b"errorlist")


def _role_for(url_name: str) -> str:
    allowed = access_table.expected_roles(url_name)
    if allowed == access_table.PUBLIC:
        return access_table.ANON
    for role in (access_table.MG, access_table.PR, access_table.FD, access_table.NO_ROLE):
        if role in allowed:
            return role
    raise AssertionError(f"nobody may post to {url_name}")


def _may_change(url_name: str, label: str) -> bool:
    namespace = url_name.split(":", 1)[0]
    own = APPS_OF_NAMESPACE.get(namespace, {namespace})
    extra = CAUSES.get(url_name, set())
    return "*" in extra or label in extra or label.split(".")[0] in own


def _refused(response) -> bool:
    if response.status_code >= 400:
        return True
    if response.status_code == 200 and not response.streaming:
        return any(marker in response.content for marker in ERROR_MARKERS)
    return False


class FormFuzzTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        location = LocationFactory(name="Central Clinic")
        cls.people = {
            Role.FRONT_DESK.value: make_staff(role=Role.FRONT_DESK, locations=[location]),
            Role.PRACTITIONER.value: make_staff(role=Role.PRACTITIONER, locations=[location]),
            Role.MANAGER.value: make_staff(role=Role.MANAGER, locations=[location]),
            access_table.NO_ROLE: make_staff(role="", locations=[location]),
        }
        practitioner = cls.people[Role.PRACTITIONER.value]
        smp_client = make_client(location=location, by=cls.people[Role.FRONT_DESK.value])
        cls.samples = build_url_samples(location=location, smp_client=smp_client)

        # Session pages in every state, a draft consultation, a course with a session to book.
        states = build_form_states(location=location, practitioner=practitioner)
        in_progress = states.in_progress
        not_started = states.not_started
        not_opened = states.not_opened
        draft = states.draft
        course_session = states.course_session
        cls.two_factor_person = make_staff(role=Role.PRACTITIONER, locations=[location])
        cls.authenticator = TOTPDevice.objects.create(
            user=cls.two_factor_person, name=two_factor.APP_DEVICE_NAME, confirmed=True
        )
        two_factor.recovery_codes_replace(cls.two_factor_person)
        cls.manager_of_two = make_staff(
            role=Role.MANAGER, locations=[location, LocationFactory(name="Westside Clinic")]
        )
        in_progress_kwargs = {
            "session_id": in_progress.public_id,
            "pass_id": in_progress.passes.get().public_id,
        }
        manager = cls.people[Role.MANAGER.value]
        link = {
            "uidb64": urlsafe_base64_encode(force_bytes(manager.pk)),
            "token": default_token_generator.make_token(manager),
        }
        cls.overrides = {
            "accounts:password_reset_confirm": link,
            "accounts:invite_accept": link,
            "sessions_app:open": {"appointment_id": not_opened.public_id},
            "sessions_app:start": {"session_id": not_started.public_id},
            "sessions_app:book_next": {"session_id": course_session.public_id},
            # The sample consultation is completed; its form shows only while it is a draft.
            "consultations:detail": {"consultation_id": draft.public_id},
            "consultations:acknowledge": {"consultation_id": draft.public_id},
            **{
                name: in_progress_kwargs
                for name in (
                    "sessions_app:override",
                    "sessions_app:pass_add",
                    "sessions_app:pass_delete",
                    "sessions_app:notes",
                    "sessions_app:photos_add",
                )
            },
        }

        # Another location's world: no request made here may ever change one of its rows.
        before = rows.snapshot()
        other = LocationFactory(name="Northside Clinic", time_zone="Europe/Dublin")
        elsewhere = make_staff(role=Role.PRACTITIONER, locations=[other])
        theirs = make_client(location=other, by=elsewhere)
        foreign_session = make_started_session(
            practitioner=elsewhere, location=other, client=theirs, sign_off=True
        )
        cls.foreign = set(rows.snapshot()) - set(before)
        cls.known_ids = [
            str(value)
            for value in (
                other.public_id,
                elsewhere.public_id,
                theirs.public_id,
                foreign_session.public_id,
                foreign_session.appointment.public_id,
                foreign_session.passes.get().public_id,
                smp_client.public_id,
                manager.public_id,
                location.public_id,
            )
        ]
        cls.specs = {}

    # -- helpers -----------------------------------------------------------------------

    def _kwargs(self, url_name: str) -> dict:
        return {**self.samples, **self.overrides.get(url_name, {})}

    def _signed_in(self, url_name: str) -> Client:
        http = Client()
        how = TWO_FACTOR.get(url_name)
        if how:
            # Signing in with the password leaves the session waiting for the code.
            http.force_login(self.two_factor_person)
            if how == "verified":
                session = http.session
                session.pop(two_factor.PENDING_KEY, None)
                session[DEVICE_ID_SESSION_KEY] = self.authenticator.persistent_id
                session.save()
            return http
        if url_name in SEVERAL_LOCATIONS:
            http.force_login(self.manager_of_two)
            return http
        role = _role_for(url_name)
        if role != access_table.ANON:
            http.force_login(self.people[role])
        return http

    def _url(self, url_name: str, pattern, samples: dict) -> str:
        url = build_url(pattern, samples)
        if url_name in QUERY:
            url += "?" + urlencode(QUERY[url_name](samples))
        return url

    def _page(self, url_name: str, url: str):
        """The page as a browser of the URL's user gets it (following redirects), leaving
        nothing behind (a sign-in would change the last-login a reset link's token is
        made from)."""
        with transaction.atomic():
            response = self._signed_in(url_name).get(url, follow=True)
            transaction.set_rollback(True)
        final = response.redirect_chain[-1][0] if response.redirect_chain else url
        html = ""
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            html = response.content.decode()
        return final, html

    def _spec(self, url_name: str, pattern) -> tuple[str, dict[str, Control], dict[str, Control]]:
        """The URL to post to and the controls of its form(s), read from the page; and the
        controls of the page's own search or filter forms (GET), when it is the URL's own."""
        if url_name in self.specs:
            return self.specs[url_name]
        samples = self._kwargs(url_name)
        url = self._url(url_name, pattern, samples)
        source = SOURCE.get(url_name)
        page_url = url
        if source:
            source_pattern = next(p for p in PATTERNS if p.name == source)
            page_url = build_url(source_pattern, samples)
        final, html = self._page(url_name, page_url)
        if not source:
            # A signed link first moves its token into the session and redirects (Django's
            # reset views): the form without an action posts to where the browser landed.
            url = page_url = final
        controls = form_controls(html, page_url=page_url, url=url, url_name=url_name) or {}
        if url_name in FORM_CLASSES:
            for name, control in controls_of(FORM_CLASSES[url_name]).items():
                controls.setdefault(name, control)
        searches: dict[str, Control] = {}
        for form in get_forms(html) if not source else []:
            action = urlsplit(form.action).path if form.action else urlsplit(page_url).path
            try:
                if resolve(action).view_name == url_name:
                    searches.update(form.controls)
            except Resolver404:
                continue
        self.specs[url_name] = (url, controls, searches)
        return self.specs[url_name]

    def _post_once(self, url_name: str, url: str, data: dict, htmx: bool):
        cache.clear()  # rate limits would otherwise hide the form after a few examples
        with transaction.atomic():
            http = self._signed_in(url_name)
            if url_name in self.overrides and "token" in self.overrides[url_name]:
                self._spec_refresh_link(http, url_name)
            if url_name == "accounts:handover":
                # Unlocking only means something while a client holds the tablet.
                sign = next(p for p in PATTERNS if p.name == "clients:consent_sign")
                http.get(build_url(sign, self.samples))
            before = rows.snapshot()
            headers = {"HX-Request": "true"} if htmx else {}
            with self.captureOnCommitCallbacks(execute=True):
                response = http.post(url, data, headers=headers)
            after = rows.snapshot()
            transaction.set_rollback(True)
        note(f"{url_name}: {response.status_code}")
        assert response.status_code < 500
        touched = rows.changed(before, after)
        added = rows.added(before, after)
        rewritten = touched.get("audit.AuditEvent")
        assert not rewritten, f"audit entries already written were changed: {rewritten}"
        foreign = [(label, pk) for label, pks in touched.items() for pk in pks]
        foreign = [key for key in foreign if key in self.foreign]
        if url_name not in CLINIC_WIDE:
            assert foreign == [], "a row of another location changed"
        if _refused(response):
            kept = SAVED_BEFORE_REFUSING.get(url_name, set())
            unexpected = {k: v for k, v in touched.items() if k not in kept}
            assert unexpected == {}, f"refused with {response.status_code}, yet rows changed"
            # What a refusal keeps is saved in place; it never makes new rows (the audit
            # entry of what it kept aside).
            new = {k: v for k, v in added.items() if not (kept and k == "audit.AuditEvent")}
            # A refused form shown again on its clinical page is a look at that page.
            if "audit.AuditEvent" in new:
                events = AuditEvent.objects.filter(pk__in=new["audit.AuditEvent"])
                if not events.exclude(action=AuditEvent.Action.VIEW).exists():
                    del new["audit.AuditEvent"]
            assert new == {}, f"refused with {response.status_code}, yet rows were added"
        else:
            unexpected = {k: v for k, v in touched.items() if not _may_change(url_name, k)}
            assert unexpected == {}, "rows outside what this URL is about changed"

    def _get_once(self, url_name: str, url: str, data: dict, htmx: bool):
        cache.clear()
        with transaction.atomic():
            http = self._signed_in(url_name)
            before = rows.snapshot()
            headers = {"HX-Request": "true"} if htmx else {}
            response = http.get(url, data, headers=headers)
            after = rows.snapshot()
            transaction.set_rollback(True)
        note(f"GET {url_name}: {response.status_code}")
        assert response.status_code < 500
        assert rows.changed(before, after) == {}, "a search or filter changed saved rows"
        # A look at clinical records is rightly written to the trail; nothing else is.
        added = {k: v for k, v in rows.added(before, after).items() if k != "audit.AuditEvent"}
        assert added == {}, "a search or filter added rows"

    def _spec_refresh_link(self, http: Client, url_name: str) -> None:
        pattern = next(p for p in PATTERNS if p.name == url_name)
        http.get(build_url(pattern, self._kwargs(url_name)))

    def _run(self, examples: int, controls: dict[str, Control], send) -> None:
        @settings(
            max_examples=examples,
            deadline=None,
            derandomize=not RANDOM,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(data=submission(controls, self.known_ids), htmx=st.booleans())
        def attempt(data, htmx):
            send(data, htmx)

        attempt()

    def _fuzz(self, pattern) -> None:
        url_name = pattern.name
        url, controls, searches = self._spec(url_name, pattern)
        examples = EXAMPLES if controls else FORMLESS_EXAMPLES
        self._run(examples, controls, lambda data, htmx: self._post_once(url_name, url, data, htmx))
        if searches:
            path = urlsplit(url).path
            self._run(
                GET_EXAMPLES,
                searches,
                lambda data, htmx: self._get_once(url_name, path, data, htmx),
            )

    def test_the_search_and_filter_forms_are_found_and_fuzzed(self):
        expected = {
            "clients:list": "q",
            "audit:trail": "client",
            "aftercare:outbox": "view",
            "accounts:staff_list": "q",
            "scheduling:day": "date",
            "scheduling:week": "date",
            "scheduling:slots": "location",
            "dashboard:today": "location",
        }
        assert self._missing(expected, searches=True) == {}

    def test_the_forms_behind_htmx_queries_redirects_and_two_factor_are_found(self):
        """Forms a plain GET of the obvious page does not show."""
        expected = {
            "sessions_app:amend": "reason",  # fetched by htmx when its <details> opens
            "sessions_app:book_next": "session",  # a course with a session left to book
            "clients:photo_review": "form-TOTAL_FORMS",  # the photos travel in ?photo=
            "accounts:password_reset_confirm": "new_password1",  # after the token redirect
            "accounts:invite_accept": "new_password1",
            "accounts:two_factor_verify": "code",  # someone with an authenticator
            "accounts:two_factor_disable": "password",
        }
        assert self._missing(expected, searches=False) == {}

    def _missing(self, expected: dict[str, str], *, searches: bool) -> dict[str, str]:
        """Which URL's form lacks the control it should have (a GET form's, or a POST's)."""
        by_name = {p.name: p for p in PATTERNS}
        part = 2 if searches else 1
        return {
            name: control
            for name, control in expected.items()
            if control not in self._spec(name, by_name[name])[part]
        }


def _make_test(pattern):
    def test(self):
        self._fuzz(pattern)

    test.__doc__ = (
        f"Hostile posts to {pattern.name} (and searches on its page) never fail and never "
        "change saved rows."
    )
    return test


for _pattern in PATTERNS:
    setattr(
        FormFuzzTest,
        "test_" + _pattern.name.replace(":", "__"),
        _make_test(_pattern),
    )


def test_the_fuzzer_tables_name_only_existing_urls():
    names = {p.name for p in PATTERNS}
    tables = [
        SOURCE,
        FORM_CLASSES,
        CAUSES,
        SAVED_BEFORE_REFUSING,
        CLINIC_WIDE,
        QUERY,
        TWO_FACTOR,
        SEVERAL_LOCATIONS,
    ]
    named = {name for table in tables for name in table} | set(SOURCE.values())
    assert sorted(named - names) == []


def test_a_row_a_request_adds_is_told_apart_from_the_rows_it_changed(db, location):
    """A refused post that inserts rows must not pass for one that changed nothing."""
    before = rows.snapshot()
    made = make_client(location=location)
    after = rows.snapshot()
    assert str(made.pk) in rows.added(before, after)["clients.Client"]
    assert "clients.Client" not in rows.changed(before, after)
