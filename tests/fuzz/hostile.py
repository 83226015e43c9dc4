"""Hypothesis strategies for what a careless, confused or hostile sender puts in a form."""

import base64
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import strategies as st
from PIL import Image

from tests.fuzz.html_forms import Control

HOSTILE_TEXT = [
    "",
    " ",
    " \t\r\n ",
    "x" * 10_000,
    "\x00",
    "a\x00b",
    "".join(chr(c) for c in range(1, 32)) + "\x7f",
    "\u202eevil\u202c",
    "\u200f\u200e\ufeff",
    "🧑‍🦲💉🏳️‍🌈",
    "e" + "\u0301" * 200,
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ request }}{% debug %}",
    "' OR 1=1 --",
    "'; DROP TABLE clients_client; --",
    "%s%s%n%x",
    "../../../etc/passwd",
    "\\",
    "null",
    "true",
    "{}",
    "[]",
    '{"format": 1, "zones": [{"points": [[1e309, -1]]}]}',
    "data:image/png;base64,AAAA",
    "data:image/png;base64,!!!not base64!!!",
    "data:text/html;base64,PHNjcmlwdD4=",
]
HOSTILE_NUMBERS = [
    "0",
    "-1",
    "-0",
    "00000000000000000001",
    "2147483648",
    "-2147483649",
    "9223372036854775808",
    "9" * 40,
    "1e309",
    "-1e309",
    "1e-400",
    "NaN",
    "nan",
    "inf",
    "-Infinity",
    "0x10",
    "1_000",
    "٣",  # an Arabic-Indic digit: int() accepts it
    "²",
    "1.5",
    "0.000000001",
    "12,5",
]
HOSTILE_DATES = [
    "2024-02-30",
    "2023-02-29",
    "99999-01-01",
    "0000-00-00",
    "0001-01-01",
    "1899-12-31",
    "9999-12-31",
    "2024-13-01",
    "2024-1-1",
    "01/02/2024",
    "T",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "2024-03-31T01:30",  # a local time the clocks skip in Europe/London
    "2024-10-27T01:30",  # and one that happens twice
    "25:61",
    "24:00",
    "23:59:60",
    "-01:00",
    "12:00:00.9999999",
]


def _png(size=(1, 1)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 180, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


TINY_PNG = _png()
PNG_DATA_URL = "data:image/png;base64," + base64.b64encode(TINY_PNG).decode()
HOSTILE_TEXT.append(PNG_DATA_URL)
HOSTILE_TEXT.append("data:image/png;base64," + base64.b64encode(_png((9000, 1))).decode())


def hostile_ids(known: list[str]) -> st.SearchStrategy[str]:
    """Identifiers that look right: nil, random, and real ones of objects the user may or
    may not see (another location's client, a deleted row's neighbour)."""
    fixed = ["00000000-0000-0000-0000-000000000000", "not-a-uuid", "1", "-1", *known]
    return st.one_of(st.sampled_from(fixed), st.uuids().map(str))


@st.composite
def upload(draw, name: str):
    suffix = draw(st.sampled_from([".jpg", ".png", ".pdf", ".heic", "", ".jpg.exe"]))
    content = draw(
        st.one_of(
            st.just(b""),
            st.just(TINY_PNG),
            st.binary(max_size=2048),
            st.just(b"\xff\xd8\xff\xe0" + b"\x00" * 64),  # a JPEG header and nothing else
            st.just(b"%PDF-1.4\n%%EOF"),
        )
    )
    filename = draw(st.sampled_from([f"{name}{suffix}", "", "a" * 300 + suffix, "../x" + suffix]))
    content_type = draw(st.sampled_from(["image/jpeg", "image/png", "application/pdf", ""]))
    return SimpleUploadedFile(filename or "upload", content, content_type=content_type or None)


def scalar(control: Control | None, ids: list[str]) -> st.SearchStrategy[str]:
    """One value for one control: mostly hostile, sometimes plausible, so that a form with
    one bad field among good ones gets past the first checks to the service and database."""
    options = list(control.options) if control else []
    kind = control.kind if control else "text"
    plausible = {
        "date": ["2031-05-06", "2024-02-29"],
        "time": ["10:00", "09:30"],
        "datetime-local": ["2031-05-06T10:00"],
        "number": ["1", "30", "1.5"],
        "email": ["someone@example.test"],
    }.get(kind, ["Ordinary text"])
    choices = [
        st.sampled_from(HOSTILE_TEXT),
        st.sampled_from(HOSTILE_NUMBERS),
        st.sampled_from(HOSTILE_DATES),
        hostile_ids(ids),
        st.text(max_size=40),
        st.integers().map(str),
        st.floats().map(repr),
        st.sampled_from(plausible + options + (control.values if control else [])),
    ]
    if kind in ("date", "time", "datetime-local"):
        choices.append(st.dates().map(str))
        choices.append(st.datetimes().map(lambda moment: moment.isoformat()[:16]))
    return st.one_of(*choices)


@st.composite
def value_for(draw, control: Control, ids: list[str]):
    """What to send for a control: its untouched value, a hostile one, several values for
    one name, or nothing at all."""
    if control.kind == "file":
        how = draw(st.sampled_from(["file", "files", "absent", "text"]))
        if how == "file":
            return draw(upload(control.name))
        if how == "files":
            return draw(st.lists(upload(control.name), min_size=2, max_size=4))
        if how == "absent":
            return None
        return draw(scalar(control, ids))
    untouched = control.values[0] if len(control.values) == 1 else (control.values or None)
    if control.kind in ("button", "submit") and control.options:
        untouched = control.options[0]
    how = draw(st.sampled_from(["untouched", "untouched", "hostile", "hostile", "many", "absent"]))
    if how == "untouched":
        return untouched
    if how == "absent":
        return None
    if how == "many":
        return draw(st.lists(scalar(control, ids), min_size=2, max_size=3))
    return draw(scalar(control, ids))


@st.composite
def submission(draw, controls: dict[str, Control], ids: list[str]):
    data = {}
    for name, control in controls.items():
        value = draw(value_for(control, ids))
        if value is not None:
            data[name] = value
    extra = draw(
        st.dictionaries(
            st.sampled_from(
                ["id", "pk", "next", "location", "client", "user", "is_superuser", "role", "status"]
            ),
            scalar(None, ids),
            max_size=2,
        )
    )
    for key, value in extra.items():
        data.setdefault(key, value)
    return data
