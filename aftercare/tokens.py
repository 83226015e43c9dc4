"""Signed links for clients, who never log in.

- Unsubscribe (one click, RFC 8058): signed, with no expiry. Mail clients keep the
  ``List-Unsubscribe`` URL of an old message and must still be able to use it years later;
  the link can only switch email off for one category, so a leaked link does no harm worth
  an expiry. Rotating SECRET_KEY invalidates them all.
- Preferences: timestamped, valid for PREFERENCES_MAX_AGE. The page shows the client's
  choices and can switch emails back on, so its link ages out; every email carries a fresh
  one, and the unsubscribe page hands out a fresh one too.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core import signing

from aftercare.kinds import Category

UNSUBSCRIBE_SALT = "aftercare.unsubscribe.v1"
PREFERENCES_SALT = "aftercare.preferences.v1"
HEALING_SALT = "aftercare.healing.v1"
# Long enough for a client who opens the email late; short enough that an old link in a
# forwarded mail stops working.
HEALING_MAX_AGE = 60 * 24 * 3600
PREFERENCES_MAX_AGE = timedelta(days=60)


class TokenProblem(Exception):
    """A link that cannot be honoured; ``expired`` tells the two cases apart for the page."""

    def __init__(self, message: str, *, expired: bool = False):
        super().__init__(message)
        self.expired = expired


@dataclass(frozen=True)
class UnsubscribeClaim:
    client_public_id: str
    category: str


def unsubscribe_token(*, client_public_id, category: str) -> str:
    return signing.dumps(
        {"c": str(client_public_id), "k": category}, salt=UNSUBSCRIBE_SALT, compress=True
    )


def read_unsubscribe_token(token: str) -> UnsubscribeClaim:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise TokenProblem("This unsubscribe link is not valid.") from None
    if not isinstance(data, dict) or data.get("k") not in Category.values or not data.get("c"):
        raise TokenProblem("This unsubscribe link is not valid.")
    return UnsubscribeClaim(client_public_id=data["c"], category=data["k"])


def preferences_token(*, client_public_id) -> str:
    return signing.dumps({"c": str(client_public_id)}, salt=PREFERENCES_SALT, compress=True)


def read_preferences_token(token: str) -> str:
    """The client's public id; TokenProblem when tampered with or older than the max age."""
    try:
        data = signing.loads(token, salt=PREFERENCES_SALT, max_age=PREFERENCES_MAX_AGE)
    except signing.SignatureExpired:
        raise TokenProblem("This link has expired.", expired=True) from None
    except signing.BadSignature:
        raise TokenProblem("This link is not valid.") from None
    if not isinstance(data, dict) or not data.get("c"):
        raise TokenProblem("This link is not valid.")
    return data["c"]


def healing_token(*, appointment_public_id, client_public_id) -> str:
    return signing.dumps(
        {"a": str(appointment_public_id), "c": str(client_public_id)},
        salt=HEALING_SALT,
        compress=True,
    )


def read_healing_token(token: str) -> tuple[str, str]:
    """(appointment public id, client public id), or TokenProblem for a tampered or old link."""
    try:
        data = signing.loads(token, salt=HEALING_SALT, max_age=HEALING_MAX_AGE)
    except signing.SignatureExpired:
        raise TokenProblem("This photo link has expired.", expired=True) from None
    except signing.BadSignature:
        raise TokenProblem("This photo link is not valid.") from None
    if not isinstance(data, dict) or not {"a", "c"} <= set(data):
        raise TokenProblem("This photo link is not valid.")
    return data["a"], data["c"]
