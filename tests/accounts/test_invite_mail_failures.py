"""With the mail server down, inviting staff or resending an invitation keeps the account and
tells the manager that the email did not go out, instead of an error page. A server that
answers but refuses the address says so: check the address, since resending will not help.

Transactional: the invitation email is sent when the account's transaction commits, during
the request, as in production."""

import smtplib
import socket
import threading

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role

pytestmark = pytest.mark.django_db(transaction=True)


class DisconnectingBackend(BaseEmailBackend):
    """A mail server that hangs up mid-conversation."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture(params=["refused", "disconnected"])
def mail_server_down(request, settings, closed_port):
    if request.param == "refused":
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = closed_port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 2
    else:
        settings.EMAIL_BACKEND = f"{__name__}.DisconnectingBackend"


def invite(client, location):
    return client.post(
        reverse("accounts:staff_invite"),
        {
            "email": "new.person@example.test",
            "full_name": "New Person",
            "role": Role.PRACTITIONER,
            "locations": [location.pk],
        },
        follow=True,
    )


def test_inviting_with_the_mail_server_down_keeps_the_account_and_says_to_resend(
    client, manager, location, mail_server_down
):
    client.force_login(manager)
    response = invite(client, location)
    assert response.status_code == 200
    content = response.content.decode()
    assert "The account for new.person@example.test is created" in content
    assert "the invitation email could not be sent: the mail server did not answer" in content
    assert "Use Resend invitation" in content
    assert "Invitation sent to" not in content
    user = User.objects.get(email="new.person@example.test")
    assert user.role == Role.PRACTITIONER
    assert not user.has_usable_password()
    # The row the manager is told to use offers the button.
    assert reverse("accounts:staff_resend_invite", args=[user.public_id]) in content


def resend_after_inviting_while_mail_worked(client, settings, manager, location, email):
    """Invite while mail goes out, then resend through the page with the test's mail server."""
    from accounts.services import user_invite

    backend = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    invitation = user_invite(
        invited_by=manager,
        email=email,
        full_name="Again",
        role=Role.FRONT_DESK,
        locations=[location],
    )
    assert invitation.email_sent is True
    settings.EMAIL_BACKEND = backend
    client.force_login(manager)
    return client.post(
        reverse("accounts:staff_resend_invite", args=[invitation.user.public_id]), follow=True
    )


def test_resending_with_the_mail_server_down_says_it_failed(
    client, manager, location, settings, mail_server_down
):
    response = resend_after_inviting_while_mail_worked(
        client, settings, manager, location, "again@example.test"
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "The invitation email to again@example.test could not be sent" in content
    assert "Try Resend invitation again later" in content
    assert "on its way" not in content


def test_inviting_with_the_mail_server_up_says_the_invitation_was_sent(client, manager, location):
    client.force_login(manager)
    content = invite(client, location).content.decode()
    assert "Invitation sent to new.person@example.test." in content
    assert "could not be sent" not in content
    assert [m.to for m in mail.outbox] == [["new.person@example.test"]]


class RefusingServer(threading.Thread):
    """A real SMTP conversation on a local port whose every RCPT TO gets ``reply``."""

    def __init__(self, reply: str):
        super().__init__(daemon=True)
        self.reply = reply
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]

    def run(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:  # closed at the end of the test
                return
            with conn, conn.makefile("rb") as lines:
                conn.sendall(b"220 mail.example.test ESMTP\r\n")
                for line in lines:
                    verb = line[:4].upper()
                    if verb == b"QUIT":
                        conn.sendall(b"221 Bye\r\n")
                        break
                    answer = self.reply if verb == b"RCPT" else "250 OK"
                    conn.sendall(answer.encode() + b"\r\n")


@pytest.fixture(params=["550 5.1.1 <new.person@example.test>: user unknown"])
def refusing_server(request, settings):
    server = RefusingServer(request.param)
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2
    yield server
    server.sock.close()


def test_inviting_an_address_the_mail_server_refuses_says_to_check_the_address(
    client, manager, location, refusing_server
):
    client.force_login(manager)
    content = invite(client, location).content.decode()
    assert "The account for new.person@example.test is created" in content
    assert "the mail server refused the address new.person@example.test" in content
    assert "Check it for a typo" in content
    assert "did not answer" not in content
    assert User.objects.filter(email="new.person@example.test").exists()


def test_resending_to_an_address_the_mail_server_refuses_says_to_check_the_address(
    client, manager, location, settings, refusing_server
):
    response = resend_after_inviting_while_mail_worked(
        client, settings, manager, location, "new.person@example.test"
    )
    content = response.content.decode()
    assert "The mail server refused the address new.person@example.test" in content
    assert "resending will not help" in content
    assert "did not answer" not in content


@pytest.mark.parametrize(
    "refusing_server", ["450 4.2.1 Mailbox busy, try again later"], indirect=True
)
def test_an_address_refused_for_now_says_to_resend_later_not_to_check_it(
    client, manager, location, refusing_server
):
    client.force_login(manager)
    content = invite(client, location).content.decode()
    assert "the mail server turned the email away for now (450)" in content
    assert "Use Resend invitation" in content
    assert "typo" not in content
