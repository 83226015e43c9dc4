"""The main navigation offers each role only pages that role may open (tests/access_table.py),
and each item marks itself as the current section on its own page."""

import pytest

from dashboard.navigation import NAVIGATION
from tests import access_table


@pytest.mark.parametrize("entry", NAVIGATION, ids=lambda entry: entry.label)
def test_every_navigation_item_opens_a_page_its_roles_may_open(entry):
    allowed = access_table.expected_roles(entry.url_name)
    assert allowed is not None, f"{entry.url_name} is missing from tests/access_table.py"
    refused = sorted(str(role) for role in set(entry.roles) - allowed)
    assert refused == [], f"{entry.label} is shown to {refused}, who may not open it"


@pytest.mark.parametrize("entry", NAVIGATION, ids=lambda entry: entry.label)
def test_every_navigation_item_is_the_current_section_on_its_own_page(entry):
    assert any(entry.url_name.startswith(section) for section in entry.sections)
