"""Writes on the session log, by topic: the log itself (opening, passes, notes, sign-off,
healing checks, photos), the safety gate, and corrections after sign-off. Callers use
``from sessions_app import services`` and the names below."""

from sessions_app.services.amendments import (
    AMENDABLE_PASS_FIELDS,
    AMENDABLE_SESSION_FIELDS,
    pass_lot_id_on_record,
    session_amend,
)
from sessions_app.services.gate import (
    STANDALONE_LOOKBACK_DAYS,
    STANDALONE_MIN_INTERVAL_DAYS,
    GateCheck,
    previous_session,
    session_gate,
    session_override_gate,
    session_start,
)
from sessions_app.services.log import (
    FORM_ALREADY_USED,
    NOTE_FIELDS,
    PASS_FIELDS,
    healing_check_record,
    pass_add,
    pass_delete,
    session_abandon,
    session_open,
    session_photos_add,
    session_save_notes,
    session_sign_off,
    session_today,
)

__all__ = [
    "AMENDABLE_PASS_FIELDS",
    "AMENDABLE_SESSION_FIELDS",
    "FORM_ALREADY_USED",
    "NOTE_FIELDS",
    "PASS_FIELDS",
    "STANDALONE_LOOKBACK_DAYS",
    "STANDALONE_MIN_INTERVAL_DAYS",
    "GateCheck",
    "healing_check_record",
    "pass_add",
    "pass_delete",
    "pass_lot_id_on_record",
    "previous_session",
    "session_abandon",
    "session_amend",
    "session_gate",
    "session_open",
    "session_override_gate",
    "session_photos_add",
    "session_save_notes",
    "session_sign_off",
    "session_start",
    "session_today",
]
