import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from accounts.roles import GROUP_NAMES, Role
from tests.factories import make_staff


def invite(client, location, **overrides):
    data = {
        "email": "new.person@example.test",
        "full_name": "New Person",
        "role": Role.PRACTITIONER,
        "locations": [location.pk],
        **overrides,
    }
    return client.post(reverse("accounts:staff_invite"), data)


def test_manager_invites_a_practitioner_who_sets_a_password_and_signs_in(
    client, manager, location, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, location)
    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.test")
    assert user.role == Role.PRACTITIONER
    assert list(user.groups.values_list("name", flat=True)) == [GROUP_NAMES[Role.PRACTITIONER]]
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)

    client.logout()
    path = link.split("://", 1)[1].split("/", 1)[1]
    form_page = client.get("/" + path, follow=True)
    assert "Welcome: choose your password" in form_page.content.decode()
    form_url = form_page.redirect_chain[-1][0]
    done = client.post(
        form_url, {"new_password1": "my own pass phrase", "new_password2": "my own pass phrase"}
    )
    assert done.status_code == 302
    assert done.url == reverse("dashboard:today")
    assert client.get(done.url).status_code == 200  # signed in, with the practitioner role


def test_inviting_an_existing_email_is_refused_and_creates_nothing(
    client, manager, practitioner, location
):
    client.force_login(manager)
    before = User.objects.count()
    response = invite(client, location, email=practitioner.email.upper())
    assert response.status_code == 200
    assert "already a staff account" in response.content.decode()
    assert User.objects.count() == before
    assert mail.outbox == []


def test_an_invite_needs_a_location_or_every_location(client, manager, location):
    manager.all_locations = True  # only a manager of every location may give every location
    manager.save(update_fields=["all_locations"])
    client.force_login(manager)
    response = invite(client, location, locations=[])
    assert "Choose at least one location" in response.content.decode()
    response = invite(client, location, locations=[], all_locations="on")
    assert response.status_code == 302


def test_manager_changes_a_role_and_the_group_follows(client, manager, front_desk, location):
    client.force_login(manager)
    response = client.post(
        reverse("accounts:staff_edit", args=[front_desk.public_id]),
        {"full_name": "Fran Desk", "role": Role.PRACTITIONER, "locations": [location.pk]},
    )
    assert response.status_code == 302
    front_desk.refresh_from_db()
    assert front_desk.role == Role.PRACTITIONER
    assert list(front_desk.groups.values_list("name", flat=True)) == ["Practitioner"]


def test_demoting_the_last_manager_is_refused_with_a_clear_message(client, manager, location):
    client.force_login(manager)
    response = client.post(
        reverse("accounts:staff_edit", args=[manager.public_id]),
        {"full_name": manager.full_name, "role": Role.FRONT_DESK, "locations": [location.pk]},
    )
    assert response.status_code == 200
    assert "last active manager" in response.content.decode()
    manager.refresh_from_db()
    assert manager.role == Role.MANAGER


def test_a_manager_can_step_down_when_another_manager_remains(client, manager, location):
    make_staff(role=Role.MANAGER, locations=[location])
    client.force_login(manager)
    response = client.post(
        reverse("accounts:staff_edit", args=[manager.public_id]),
        {"full_name": manager.full_name, "role": Role.PRACTITIONER, "locations": [location.pk]},
    )
    assert response.status_code == 302
    manager.refresh_from_db()
    assert manager.role == Role.PRACTITIONER


def test_deactivation_asks_first_then_keeps_the_record(client, manager, practitioner):
    client.force_login(manager)
    url = reverse("accounts:staff_deactivate", args=[practitioner.public_id])
    confirm = client.get(url)
    assert "Deactivate account" in confirm.content.decode()
    practitioner.refresh_from_db()
    assert practitioner.is_active
    client.post(url)
    practitioner.refresh_from_db()
    assert not practitioner.is_active
    assert practitioner.deactivated_by == manager
    assert User.objects.filter(pk=practitioner.pk).exists()


def test_a_manager_cannot_deactivate_themselves(client, manager):
    client.force_login(manager)
    response = client.post(
        reverse("accounts:staff_deactivate", args=[manager.public_id]), follow=True
    )
    assert "cannot deactivate your own account" in response.content.decode()
    manager.refresh_from_db()
    assert manager.is_active


def test_reactivation_lets_the_person_sign_in_again(client, manager, practitioner):
    from accounts.services import user_deactivate

    user_deactivate(user=practitioner, by=manager)
    client.force_login(manager)
    client.post(reverse("accounts:staff_reactivate", args=[practitioner.public_id]))
    practitioner.refresh_from_db()
    assert practitioner.is_active
    client.logout()
    response = client.post(
        reverse("accounts:login"),
        {"username": practitioner.email, "password": "correct horse battery staple"},
    )
    assert response.status_code == 302


def test_resending_an_invite_mails_a_fresh_link(
    client, manager, location, django_capture_on_commit_callbacks
):
    from accounts.services import user_invite

    with django_capture_on_commit_callbacks(execute=True):
        user = user_invite(
            invited_by=manager,
            email="again@example.test",
            full_name="Again",
            role=Role.FRONT_DESK,
            locations=[location],
        ).user
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:staff_resend_invite", args=[user.public_id]), follow=True
        )
    assert "new invitation is on its way" in response.content.decode()
    assert [m.to for m in mail.outbox] == [["again@example.test"], ["again@example.test"]]


def test_resending_an_invite_to_someone_who_joined_is_refused(client, manager, practitioner):
    client.force_login(manager)
    response = client.post(
        reverse("accounts:staff_resend_invite", args=[practitioner.public_id]), follow=True
    )
    assert "already set a password" in response.content.decode()
    assert mail.outbox == []


def test_an_invite_link_of_a_deactivated_account_does_not_work(client, manager, location):
    from accounts.services import invite_link, user_deactivate, user_invite

    user = user_invite(
        invited_by=manager,
        email="late@example.test",
        full_name="Late Person",
        role=Role.FRONT_DESK,
        locations=[location],
    ).user
    link = invite_link(user)
    user_deactivate(user=user, by=manager)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    response = client.get(path, follow=True)
    assert "expired or was already used" in response.content.decode()


def test_staff_list_filters_by_role_and_status(client, manager, front_desk, practitioner):
    client.force_login(manager)
    response = client.get(reverse("accounts:staff_list"), {"role": Role.FRONT_DESK})
    content = response.content.decode()
    assert front_desk.email in content
    assert practitioner.email not in content
    empty = client.get(reverse("accounts:staff_list"), {"q": "zzz-nobody"})
    assert "No staff match these filters" in empty.content.decode()


def test_staff_list_htmx_request_renders_only_the_results(client, manager):
    client.force_login(manager)
    response = client.get(reverse("accounts:staff_list"), HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert "<table" in content
    assert "<nav" not in content.split("<table")[0]


@pytest.mark.parametrize("extra", [3, 30])
def test_staff_list_query_count_does_not_grow_with_rows(
    client, manager, location, extra, django_assert_num_queries
):
    for _ in range(extra):
        make_staff(role=Role.FRONT_DESK, locations=[location])
    client.force_login(manager)
    # session, user, count, page of users, their locations (prefetch), lockouts of the page
    with django_assert_num_queries(6):
        response = client.get(reverse("accounts:staff_list"))
    assert response.status_code == 200
