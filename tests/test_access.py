"""Every URL of the project × anonymous and every role: allowed, or refused.

The URL list is discovered from the URLconf at collection time, so a new view is covered
without editing this test; its expected access must be added to tests/access_table.py.
"""

import pytest
from django.conf import settings
from django.shortcuts import resolve_url

from tests import access_table
from tests.url_samples import build_url_samples
from tests.urls_enumeration import build_url, named_patterns

PATTERNS = named_patterns()
LOGIN_PATHS = ("/ops/admin/login/",)


@pytest.fixture
def url_samples(location, smp_client):
    return build_url_samples(location=location, smp_client=smp_client)


def outcome(response) -> str:
    status = response.status_code
    if status == 403:
        return "refused"
    if status == 302:
        login = resolve_url(settings.LOGIN_URL)
        if response.url.startswith(login) or response.url.startswith(LOGIN_PATHS):
            return "refused"
        return "allowed"
    if status in (200, 204, 405):
        return "allowed"
    raise AssertionError(f"unexpected status {status} (neither the page nor a refusal)")


def test_every_url_pattern_has_an_expected_access_entry():
    missing = [p.name for p in PATTERNS if access_table.expected_roles(p.name) is None]
    assert missing == [], f"add these URL names to tests/access_table.py: {missing}"


def test_access_table_names_only_existing_urls():
    names = {p.name for p in PATTERNS}
    stale = [key for key in access_table.ACCESS if not key.endswith("*") and key not in names]
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
