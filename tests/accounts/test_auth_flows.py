import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.factories import TEST_PASSWORD

LOGIN = reverse("accounts:login")


def sign_in(client, email, password=TEST_PASSWORD, **extra):
    return client.post(LOGIN, {"username": email, "password": password, **extra})


def link_in(message) -> str:
    match = re.search(r"https?://[^\s\"<]+", message.body)
    assert match, f"no link in: {message.body}"
    return match.group(0)


def test_staff_signs_in_with_email_in_any_case_and_lands_on_today(client, front_desk):
    response = sign_in(client, "FRAN@Example.test")
    assert response.status_code == 302
    assert response.url == reverse("dashboard:today")
    page = client.get(response.url)
    assert page.status_code == 200
    assert "Fran" in page.content.decode()


def test_sign_in_follows_next_to_the_page_asked_for(client, manager):
    response = sign_in(client, manager.email, next=reverse("accounts:staff_list"))
    assert response.url == reverse("accounts:staff_list")


def test_wrong_password_gets_a_clear_message_and_no_session(client, front_desk):
    response = sign_in(client, front_desk.email, password="not the password")
    assert response.status_code == 200
    assert "do not match a staff account" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_unknown_email_gets_the_same_message_as_a_wrong_password(client, db):
    response = sign_in(client, "nobody@example.test")
    assert response.status_code == 200
    assert "do not match a staff account" in response.content.decode()


def test_deactivated_account_is_told_so_after_the_right_password(client, front_desk, manager):
    from accounts.services import user_deactivate

    user_deactivate(user=front_desk, by=manager)
    response = sign_in(client, front_desk.email)
    assert response.status_code == 200
    assert "has been deactivated" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # A wrong password does not reveal that the account exists but is deactivated.
    response = sign_in(client, front_desk.email, password="wrong password here")
    assert "has been deactivated" not in response.content.decode()


def test_deactivation_ends_the_session_already_open(client, front_desk, manager):
    from accounts.services import user_deactivate

    client.force_login(front_desk)
    assert client.get(reverse("dashboard:today")).status_code == 200
    user_deactivate(user=front_desk, by=manager)
    response = client.get(reverse("dashboard:today"))
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


def test_signed_in_user_visiting_login_goes_to_today(client, practitioner):
    client.force_login(practitioner)
    response = client.get(LOGIN)
    assert response.status_code == 302
    assert response.url == reverse("dashboard:today")


def test_logout_signs_out(client, practitioner):
    client.force_login(practitioner)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("dashboard:today")).status_code == 302


def test_password_reset_mails_a_link_that_sets_a_new_password(client, practitioner):
    response = client.post(reverse("accounts:password_reset"), {"email": practitioner.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [practitioner.email]
    assert message.alternatives
    assert message.alternatives[0][1] == "text/html"
    confirm = client.get(link_in(message), follow=True)
    assert confirm.status_code == 200
    form_url = confirm.redirect_chain[-1][0]
    done = client.post(
        form_url,
        {"new_password1": "a fresh pass phrase 42", "new_password2": "a fresh pass phrase 42"},
    )
    assert done.status_code == 302
    client.logout()
    assert sign_in(client, practitioner.email, "a fresh pass phrase 42").status_code == 302


def test_password_reset_for_an_unknown_email_sends_nothing_and_reveals_nothing(client, db):
    response = client.post(
        reverse("accounts:password_reset"), {"email": "ghost@example.test"}, follow=True
    )
    assert response.status_code == 200
    assert "If an active staff account uses that address" in response.content.decode()
    assert mail.outbox == []


def test_expired_reset_link_is_explained_and_offers_a_new_one(client, practitioner):
    client.post(reverse("accounts:password_reset"), {"email": practitioner.email})
    link = link_in(mail.outbox[0])
    later = timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    with time_machine.travel(later):
        response = client.get(link, follow=True)
    content = response.content.decode()
    assert "expired or was already used" in content
    assert reverse("accounts:password_reset") in content


def test_a_reset_link_works_only_once(client, practitioner):
    client.post(reverse("accounts:password_reset"), {"email": practitioner.email})
    link = link_in(mail.outbox[0])
    confirm = client.get(link, follow=True)
    form_url = confirm.redirect_chain[-1][0]
    client.post(
        form_url,
        {"new_password1": "first new pass phrase", "new_password2": "first new pass phrase"},
    )
    client.logout()
    again = client.get(link, follow=True)
    assert "expired or was already used" in again.content.decode()


def test_password_change_needs_the_current_password(client, practitioner):
    client.force_login(practitioner)
    url = reverse("accounts:password_change")
    bad = client.post(
        url,
        {
            "old_password": "wrong",
            "new_password1": "brand new phrase 9",
            "new_password2": "brand new phrase 9",
        },
    )
    assert bad.status_code == 200
    assert "Your old password was entered incorrectly" in bad.content.decode()
    good = client.post(
        url,
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "brand new phrase 9",
            "new_password2": "brand new phrase 9",
        },
    )
    assert good.status_code == 302
    practitioner.refresh_from_db()
    assert practitioner.check_password("brand new phrase 9")


@pytest.mark.parametrize("weak", ["short", "1234567890123", "password123"])
def test_weak_new_passwords_are_refused_with_a_reason(client, practitioner, weak):
    client.force_login(practitioner)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": weak, "new_password2": weak},
    )
    assert response.status_code == 200
    assert 'data-testid="form-errors"' in response.content.decode()
    practitioner.refresh_from_db()
    assert practitioner.check_password(TEST_PASSWORD)


@pytest.mark.parametrize(
    ("site_url", "start"),
    [
        ("https://clinic.example.com", "https://clinic.example.com/accounts/password/reset/"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000/accounts/password/reset/"),
    ],
)
def test_the_reset_link_starts_with_site_url_whatever_host_the_request_named(
    client, practitioner, settings, site_url, start
):
    settings.SITE_URL = site_url
    settings.ALLOWED_HOSTS = ["attacker.example", "testserver"]
    client.post(
        reverse("accounts:password_reset"),
        {"email": practitioner.email},
        HTTP_HOST="attacker.example",
    )
    [message] = mail.outbox
    assert link_in(message).startswith(start)
    html = message.alternatives[0][0]
    assert f'href="{start}' in html
    assert "attacker.example" not in message.body + html
