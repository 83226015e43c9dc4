"""Every page that shows a clinical record on a GET leaves a look in the audit trail.

The walk opens every URL of the project (and every tab of the client page) as a manager, with
real records behind each URL, and notes the templates each response rendered. A response that
rendered a clinical template must come from a view the audit middleware logs, or from one
exempted below with the reason. A new view that shows a session log, a consultation or a
photo therefore fails here until it is logged.
"""

from pathlib import Path

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import reverse

from audit.middleware import IMAGE_VIEWS, SENSITIVE_SECTIONS, SENSITIVE_VIEWS
from audit.models import AuditEvent
from clients.registry import sections_for
from tests.fuzz.states import make_course_session
from tests.url_samples import build_url_samples
from tests.urls_enumeration import build_url, named_patterns

# Folders whose templates show clinical records: health data, assessments, designs, session
# logs and photos.
CLINICAL_FOLDERS = (
    "clients/intake/",
    "clients/photos/",
    "clients/sections/",
    "consultations/",
    "sessions_app/",
)
# Clinical templates outside those folders.
CLINICAL_ELSEWHERE = {"clients/consent/detail.html", "clients/includes/flag_banner.html"}
# Templates in those folders that show no clinical record.
NOT_CLINICAL = {
    "clients/intake/intake_form.html": "a blank questionnaire",
    "clients/intake/includes/question.html": "one question of the blank questionnaire",
    "clients/photos/upload.html": "the upload form, no photo",
    "clients/sections/overview.html": "contact details and appointments",
    "clients/sections/consents.html": "which consents are signed, and when",
    "consultations/photos.html": "the upload form, no photo or assessment",
    "consultations/includes/photo_form.html": "the upload form",
    "consultations/plan_book.html": "the front desk's page: the plan's number and spacing",
    "sessions_app/inventory.html": "stock",
    "sessions_app/lot_detail.html": "stock",
    "sessions_app/lot_recall.html": "who received a lot: names, no record",
    "sessions_app/simple_form.html": "stock forms",
    "sessions_app/includes/stock_fix.html": "a stock correction",
}
# Pages that render a clinical template and are not logged, with why. The client page's
# other tabs carry the flag banner, which names the client's open medical flags to
# practitioners and managers; the answers, notes and GP letters behind them are on the
# medical tab, which is logged. Logging every client page would bury those looks.
_BANNER = "the flag banner only"
EXEMPT_VIEWS: dict[str, str] = {
    "clients:detail": _BANNER,
    "clients:section/appointments": _BANNER,
    "clients:section/consents": _BANNER,
    "clients:section/messages": _BANNER,
}


def page_name(view_name: str, section: str | None) -> str:
    return f"{view_name}/{section}" if section else view_name


def is_clinical(template: str) -> bool:
    if template in CLINICAL_ELSEWHERE:
        return True
    return template.startswith(CLINICAL_FOLDERS) and template not in NOT_CLINICAL


def is_logged(view_name: str, section: str | None) -> bool:
    if view_name == "clients:section":
        return section in SENSITIVE_SECTIONS
    return view_name in SENSITIVE_VIEWS or view_name in IMAGE_VIEWS


def _template_files() -> set[str]:
    names = set()
    for config in apps.get_app_configs():
        folder = Path(config.path) / "templates"
        if folder.is_dir() and str(folder).startswith(str(Path(__file__).parents[2])):
            names |= {str(p.relative_to(folder)) for p in folder.rglob("*.html")}
    return names


def test_every_template_of_the_clinical_folders_is_classified():
    """A new template in a clinical folder counts as clinical unless listed here; a name
    listed that no longer exists is stale."""
    files = _template_files()
    assert set(NOT_CLINICAL) - files == set()
    assert CLINICAL_ELSEWHERE - files == set()
    assert {name for name in files if is_clinical(name)} >= {
        "sessions_app/session.html",
        "consultations/detail.html",
        "clients/intake/intake_detail.html",
        "clients/photos/detail.html",
    }


@pytest.fixture
def walk_samples(location, smp_client, practitioner):
    samples = build_url_samples(location=location, smp_client=smp_client)
    # Its next-session page renders the log instead of sending back to it.
    course_session = make_course_session(location=location, practitioner=practitioner)
    return samples, {"sessions_app:book_next": {"session_id": course_session.public_id}}


def _urls(samples, overrides):
    for pattern in named_patterns():
        if pattern.name.startswith("admin:"):
            continue
        if pattern.name == "clients:section":
            for section in sections_for("manager"):
                url = reverse(pattern.name, args=[samples["client_id"], section.key])
                yield pattern.name, section.key, url
            continue
        url = build_url(pattern, {**samples, **overrides.get(pattern.name, {})})
        if pattern.name == "clients:photo_review":
            url += f"?photo={samples['photo_id']}"
        yield pattern.name, None, url


def _walk(manager, walk_samples, method: str):
    """Open (or post an empty form to) every URL as a manager: what answered 200, what
    refused the method, and the answers that rendered a clinical template unlogged."""
    samples, overrides = walk_samples
    unlogged, rendered, refused = [], set(), set()
    for name, section, url in _urls(samples, overrides):
        # A fresh sign-in each time: a tablet handover page locks the session it opens in.
        http = Client()
        http.force_login(manager)
        # Each post is undone, so the next URL finds the same records.
        with transaction.atomic():
            response = getattr(http, method)(url)
            transaction.set_rollback(True)
        templates = {t.name for t in response.templates or () if t.name}
        page = page_name(name, section)
        if response.status_code == 200:
            rendered.add(page)
        elif response.status_code == 405:
            refused.add(page)
        clinical = sorted(t for t in templates if is_clinical(t))
        if clinical and not is_logged(name, section) and page not in EXEMPT_VIEWS:
            unlogged.append(f"{page} ({url}) renders {clinical}")
    assert unlogged == [], "log in audit/middleware.py, or exempt: " + "; ".join(unlogged)
    return rendered, refused


def test_every_page_that_shows_a_clinical_record_is_logged(manager, walk_samples):
    rendered, refused = _walk(manager, walk_samples, "get")
    # The walk reached each logged page: a sample that sends elsewhere would hide a gap.
    # A form's address that takes only a POST is reached by the walk of posts.
    assert set(SENSITIVE_VIEWS) - rendered - refused == set()
    assert set(EXEMPT_VIEWS) - rendered == set()


def test_every_answer_to_a_post_that_shows_a_clinical_record_is_logged(manager, walk_samples):
    """An empty form posted to every URL: a refused form of the session log shows the log
    again, and a view that answers any method with its page shows the page."""
    get_rendered, refused = _walk(manager, walk_samples, "get")
    rendered, _ = _walk(manager, walk_samples, "post")
    assert refused & set(SENSITIVE_VIEWS) <= rendered
    assert {"sessions_app:pass_add", "sessions_app:notes"} <= rendered


def test_the_walk_sees_a_clinical_page_that_is_not_logged(manager, walk_samples, monkeypatch):
    monkeypatch.delitem(SENSITIVE_VIEWS, "sessions_app:session")
    with pytest.raises(AssertionError, match="sessions_app:session"):
        test_every_page_that_shows_a_clinical_record_is_logged(manager, walk_samples)


def _session_log_views():
    return list(
        AuditEvent.objects.filter(action="view", object_type="session log").values_list(
            "object_id", flat=True
        )
    )


def test_opening_the_correction_form_page_logs_the_session_log(client, manager, walk_samples):
    samples, _ = walk_samples
    client.force_login(manager)
    response = client.get(reverse("sessions_app:amend", args=[samples["session_id"]]))
    assert response.status_code == 200
    assert 'data-testid="amend-form"' in response.content.decode()
    assert _session_log_views() == [str(samples["session_id"])]


def test_the_next_session_page_logs_the_session_log_and_its_card_alone_does_not(
    client, practitioner, walk_samples
):
    """The card (htmx) shows only a proposed slot, fetched by the session page already logged."""
    _, overrides = walk_samples
    session_id = overrides["sessions_app:book_next"]["session_id"]
    url = reverse("sessions_app:book_next", args=[session_id])
    client.force_login(practitioner)
    card = client.get(url, HTTP_HX_REQUEST="true")
    assert 'data-testid="next-session"' in card.content.decode()
    assert _session_log_views() == []
    page = client.get(url)
    assert 'data-testid="passes"' in page.content.decode()
    assert _session_log_views() == [str(session_id)]


def test_the_clearance_page_of_a_medical_flag_logs_the_flag(client, practitioner, walk_samples):
    samples, _ = walk_samples
    client.force_login(practitioner)
    url = reverse("clients:flag_clear", args=[samples["client_id"], samples["flag_id"]])
    assert client.get(url).status_code == 200
    [event] = AuditEvent.objects.filter(action="view")
    assert (event.object_type, event.object_id) == ("medical flag", str(samples["flag_id"]))
    assert event.client_public_id == samples["client_id"]


def test_a_refused_pass_shows_the_session_log_again_and_is_a_look(
    client, practitioner, walk_samples
):
    samples, _ = walk_samples
    client.force_login(practitioner)
    url = reverse("sessions_app:pass_add", args=[samples["session_id"]])
    response = client.post(url, {"pass_number": "not a number"})
    assert response.status_code == 200
    assert 'data-testid="passes"' in response.content.decode()
    assert _session_log_views() == [str(samples["session_id"])]


def test_a_session_log_answered_to_a_post_is_a_look(client, practitioner, walk_samples):
    """The page's view takes any method; whichever shows the log leaves the look."""
    samples, _ = walk_samples
    client.force_login(practitioner)
    response = client.post(reverse("sessions_app:session", args=[samples["session_id"]]))
    assert response.status_code == 200
    assert _session_log_views() == [str(samples["session_id"])]
