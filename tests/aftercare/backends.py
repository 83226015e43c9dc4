"""Email backends that fail the way SMTP servers do, for the retry tests."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class UnavailableBackend(BaseEmailBackend):
    """The server hangs up: a temporary failure, retried with backoff."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class RefusingBackend(BaseEmailBackend):
    """The server refuses the recipient for good (550)."""

    def send_messages(self, email_messages):
        recipients = {
            address: (550, b"5.1.1 No such user") for m in email_messages for address in m.to
        }
        raise smtplib.SMTPRecipientsRefused(recipients)
