"""A manager of some locations looks after the staff of those locations only, and hands
out no more reach than they have; a manager of every location looks after everyone."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import services
from accounts.models import User
from accounts.roles import Role
from tests.factories import make_staff


@pytest.fixture
def head_office_manager(location, other_location):
    manager = make_staff(role=Role.MANAGER, email="head@example.test", full_name="Hana Head")
    manager.all_locations = True
    manager.save(update_fields=["all_locations"])
    return manager


@pytest.fixture
def shared_practitioner(location, other_location):
    return make_staff(
        role=Role.PRACTITIONER,
        locations=[location, other_location],
        email="both@example.test",
        full_name="Bo Both",
    )


def test_a_manager_of_one_location_lists_only_its_staff(
    client, manager, practitioner, practitioner_elsewhere, head_office_manager
):
    client.force_login(manager)
    page = client.get(reverse("accounts:staff_list")).content.decode()
    assert practitioner.full_name in page
    assert manager.full_name in page
    assert practitioner_elsewhere.full_name not in page
    assert head_office_manager.full_name not in page


def test_a_manager_of_every_location_lists_everyone(
    client, head_office_manager, practitioner, practitioner_elsewhere
):
    client.force_login(head_office_manager)
    page = client.get(reverse("accounts:staff_list")).content.decode()
    assert practitioner.full_name in page
    assert practitioner_elsewhere.full_name in page


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("accounts:staff_edit", "get"),
        ("accounts:staff_edit", "post"),
        ("accounts:staff_deactivate", "get"),
        ("accounts:staff_deactivate", "post"),
        ("accounts:staff_reactivate", "post"),
        ("accounts:staff_unlock", "post"),
        ("accounts:staff_resend_invite", "post"),
    ],
)
def test_staff_at_a_location_the_manager_does_not_manage_are_out_of_reach(
    client, manager, practitioner_elsewhere, name, method
):
    client.force_login(manager)
    url = reverse(name, args=[practitioner_elsewhere.public_id])
    response = getattr(client, method)(url, {"full_name": "Taken Over", "role": Role.MANAGER})
    assert response.status_code == 404
    practitioner_elsewhere.refresh_from_db()
    assert practitioner_elsewhere.full_name == "Omar Other"
    assert practitioner_elsewhere.is_active


def test_a_manager_of_some_locations_cannot_invite_to_every_location_or_another(
    client, manager, location, other_location
):
    client.force_login(manager)
    form_page = client.get(reverse("accounts:staff_invite")).content.decode()
    assert location.name in form_page
    assert other_location.name not in form_page
    data = {
        "email": "new@example.test",
        "full_name": "New Person",
        "role": Role.PRACTITIONER,
        "locations": [other_location.pk],
    }
    elsewhere = client.post(reverse("accounts:staff_invite"), data)
    assert elsewhere.status_code == 200
    assert "Select a valid choice" in elsewhere.content.decode()
    everywhere = client.post(
        reverse("accounts:staff_invite"),
        {**data, "locations": [location.pk], "all_locations": "on"},
    )
    assert everywhere.status_code == 302  # the disabled box is ignored
    invited = User.objects.get(email="new@example.test")
    assert not invited.all_locations
    assert list(invited.locations.all()) == [location]


def test_editing_a_shared_colleague_keeps_the_location_the_manager_does_not_manage(
    client, manager, location, other_location, shared_practitioner
):
    client.force_login(manager)
    response = client.post(
        reverse("accounts:staff_edit", args=[shared_practitioner.public_id]),
        {"full_name": "Bo Both-Baker", "role": Role.PRACTITIONER, "locations": [location.pk]},
    )
    assert response.status_code == 302
    shared_practitioner.refresh_from_db()
    assert shared_practitioner.full_name == "Bo Both-Baker"
    assert set(shared_practitioner.locations.all()) == {location, other_location}


def test_a_shared_colleagues_role_and_account_are_not_one_locations_manager_to_change(
    client, manager, location, shared_practitioner
):
    client.force_login(manager)
    demoted = client.post(
        reverse("accounts:staff_edit", args=[shared_practitioner.public_id]),
        {"full_name": "Bo Both", "role": Role.FRONT_DESK, "locations": [location.pk]},
    )
    assert "also works at Northside Clinic, which you do not manage" in demoted.content.decode()
    deactivated = client.post(
        reverse("accounts:staff_deactivate", args=[shared_practitioner.public_id]), follow=True
    )
    assert "also works at Northside Clinic" in deactivated.content.decode()
    shared_practitioner.refresh_from_db()
    assert shared_practitioner.role == Role.PRACTITIONER
    assert shared_practitioner.is_active


def test_a_shared_colleagues_two_factor_and_reactivation_are_not_one_locations_to_change(
    client, manager, shared_practitioner, head_office_manager
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=shared_practitioner, name="Authenticator app")
    client.force_login(manager)
    reset = client.post(
        reverse("accounts:staff_reset_two_factor", args=[shared_practitioner.public_id]),
        follow=True,
    )
    assert "also works at Northside Clinic" in reset.content.decode()
    assert TOTPDevice.objects.filter(user=shared_practitioner).exists()
    services.user_deactivate(user=shared_practitioner, by=head_office_manager)
    reactivated = client.post(
        reverse("accounts:staff_reactivate", args=[shared_practitioner.public_id]), follow=True
    )
    assert "also works at Northside Clinic" in reactivated.content.decode()
    shared_practitioner.refresh_from_db()
    assert not shared_practitioner.is_active


def test_a_manager_cannot_widen_their_own_reach(client, manager, location, other_location):
    client.force_login(manager)
    client.post(
        reverse("accounts:staff_edit", args=[manager.public_id]),
        {
            "full_name": manager.full_name,
            "role": Role.MANAGER,
            "locations": [location.pk, other_location.pk],
            "all_locations": "on",
        },
    )
    manager.refresh_from_db()
    assert not manager.all_locations
    assert list(manager.locations.all()) == [location]
    with pytest.raises(ValidationError, match="Only a manager of every location"):
        services.user_update(
            user=manager,
            by=manager,
            full_name=manager.full_name,
            role=Role.MANAGER,
            locations=[location],
            all_locations=True,
        )
    with pytest.raises(ValidationError, match="You do not manage Northside Clinic"):
        services.user_update(
            user=manager,
            by=manager,
            full_name=manager.full_name,
            role=Role.MANAGER,
            locations=[location, other_location],
            all_locations=False,
        )


def test_a_manager_of_every_location_gives_every_location(
    client, head_office_manager, practitioner
):
    client.force_login(head_office_manager)
    client.post(
        reverse("accounts:staff_edit", args=[practitioner.public_id]),
        {"full_name": practitioner.full_name, "role": Role.MANAGER, "all_locations": "on"},
    )
    practitioner.refresh_from_db()
    assert practitioner.all_locations
