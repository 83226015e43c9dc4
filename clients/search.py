"""The text a client is found by, and how a query is cut into terms to match it."""

import re

import phonenumbers

_DIGITS = re.compile(r"\D+")
_PHONE_LIKE = re.compile(r"[\d\s+().\-/]+")


def phone_digit_forms(phone) -> list[str]:
    """E.164 and national digit strings, so '+44 7700…' and '07700…' both match."""
    if not phone:
        return []
    number = getattr(phone, "_phonenumber", None) or phone
    if isinstance(number, str):
        return [_DIGITS.sub("", number)]
    forms = {
        _DIGITS.sub("", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)),
        _DIGITS.sub(
            "", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        ),
    }
    return sorted(f for f in forms if f)


def build_search_text(
    *, first_name: str, last_name: str, preferred_name: str, email: str, phone
) -> str:
    parts = [first_name, last_name, preferred_name, email, *phone_digit_forms(phone)]
    return " ".join(" ".join(p.split()).lower() for p in parts if p)


def search_terms(query: str) -> list[str]:
    """Each word must match. A query that looks like a phone number ('+44 7700 900123',
    '07700-900123') becomes one string of digits, matched against the stored digit forms."""
    query = query.strip().lower()
    if _PHONE_LIKE.fullmatch(query):
        digits = _DIGITS.sub("", query)
        if len(digits) >= 3:
            return [digits]
    return query.split()[:6]
