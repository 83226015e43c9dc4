"""Every URL of the project × anonymous and every role: allowed, or refused.

The URL list is discovered from the URLconf at collection time, so a new view is covered
without editing this test; its expected access must be added to tests/access_table.py.
A first pass opens every URL (GET) as every role; a second posts to every URL as each
role the table refuses, and checks the refusal wrote nothing: a view that checks roles on
GET only, or a POST-only check that went missing, fails it.
"""

import pytest
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.urls import include, path

from tests import access_table
from tests.url_samples import build_url_samples
from tests.urls_enumeration import URLNamingError, build_url, named_patterns

PATTERNS = named_patterns()
LOGIN_PATHS = ("/ops/admin/login/",)


@pytest.fixture
def url_samples(location, smp_client):
    return build_url_samples(location=location, smp_client=smp_client)


def _to_sign_in(response) -> bool:
    return response.status_code == 302 and response.url.startswith(
        (resolve_url(settings.LOGIN_URL), *LOGIN_PATHS)
    )


def outcome(response) -> str:
    status = response.status_code
    if status == 403 or _to_sign_in(response):
        return "refused"
    if status == 302:
        return "allowed"
    if status in (200, 204, 405):
        return "allowed"
    raise AssertionError(f"unexpected status {status} (neither the page nor a refusal)")


def _refused(response) -> bool:
    # 405: the view takes no POST at all.
    return response.status_code in (403, 405) or _to_sign_in(response)


# Written on every request by the session middleware (the idle timeout), refused or not.
UNWATCHED_TABLES = ("django_session",)


def _rows_written() -> dict[str, tuple[int, int, int]]:
    """Rows inserted, updated and deleted per table so far in this test's transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_xact_user_tables "
            "WHERE n_tup_ins + n_tup_upd + n_tup_del > 0 AND NOT relname = ANY(%s)",
            [list(UNWATCHED_TABLES)],
        )
        return {table: counts for table, *counts in cursor.fetchall()}


def test_every_url_pattern_has_an_expected_access_entry():
    missing = [p.name for p in PATTERNS if access_table.expected_roles(p.name) is None]
    assert missing == [], f"add these URL names to tests/access_table.py: {missing}"


def _view(request):
    raise AssertionError("never called")


@pytest.mark.parametrize(
    ("urlpatterns", "problem"),
    [
        ([path("things/", _view)], "/things/ has no name"),
        (
            [
                path(
                    "shop/",
                    include(
                        ([path("a/", _view, name="item"), path("b/", _view, name="item")], "shop")
                    ),
                )
            ],
            "/shop/b/ reuses the name 'shop:item'",
        ),
    ],
)
def test_the_url_walk_refuses_a_pattern_without_a_name_of_its_own(urlpatterns, problem):
    with pytest.raises(URLNamingError, match=problem):
        named_patterns(urlpatterns)


def test_access_table_names_only_existing_urls():
    names = {p.name for p in PATTERNS}
    keys = [*access_table.ACCESS, *access_table.POST_ACCESS]
    stale = [key for key in keys if not key.endswith("*") and key not in names]
    assert stale == [], f"tests/access_table.py names URLs that no longer exist: {stale}"


def _namespace(name: str) -> str:
    return name.split(":", 1)[0] if ":" in name else "(root)"


NAMESPACES = sorted({_namespace(p.name) for p in PATTERNS})


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_every_url_allows_exactly_the_expected_roles(namespace, client, people, url_samples):
    """One sample world per namespace (building it is the slow part); every URL of the
    namespace is requested as anonymous and as each role, and every mismatch is reported."""
    mismatches = []
    for pattern in (p for p in PATTERNS if _namespace(p.name) == namespace):
        expected = access_table.expected_roles(pattern.name)
        assert expected is not None, f"{pattern.name} is missing from tests/access_table.py"
        url = build_url(pattern, url_samples)
        allowed = set()
        for role in access_table.ROLES:
            client.logout()
            if role != access_table.ANON:
                client.force_login(people[role])
            try:
                if outcome(client.get(url)) == "allowed":
                    allowed.add(role)
            except AssertionError as error:
                mismatches.append(f"{pattern.name} ({url}) as {role}: {error}")
        if allowed != set(expected):
            mismatches.append(
                f"{pattern.name} ({url}): allowed {sorted(allowed)}, expected {sorted(expected)}"
            )
    assert mismatches == []


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_every_url_refuses_a_post_from_the_roles_it_refuses(namespace, client, people, url_samples):
    """Each refused role posts to every URL of the namespace (an empty body, or the one
    tests/access_table.py POST_ACCESS gives): 403, the sign-in page or 405, and no row
    written."""
    patterns = [p for p in PATTERNS if _namespace(p.name) == namespace]
    urls = {p.name: build_url(p, url_samples) for p in patterns}
    mismatches = []
    for role in access_table.ROLES:
        client.logout()
        if role != access_table.ANON:
            client.force_login(people[role])
        before = _rows_written()
        for pattern in patterns:
            body, allowed = access_table.post_expectation(pattern.name)
            if role in allowed:
                continue
            url = urls[pattern.name]
            response = client.post(url, body)
            written = _rows_written()
            changed = sorted(
                t for t in written.keys() | before.keys() if written.get(t) != before.get(t)
            )
            before = written
            if not _refused(response):
                where = f" to {response.url}" if response.status_code == 302 else ""
                mismatches.append(
                    f"POST {pattern.name} ({url}) as {role}: {response.status_code}{where}, "
                    "expected a refusal"
                )
            if changed:
                mismatches.append(f"POST {pattern.name} ({url}) as {role} wrote to {changed}")
    assert mismatches == []


def test_the_post_pass_sees_a_row_written_in_the_test_transaction(location):
    from locations.models import Room

    before = _rows_written()
    Room.objects.create(location=location, name="Written between the two looks")
    assert _rows_written().get("locations_room") != before.get("locations_room")
