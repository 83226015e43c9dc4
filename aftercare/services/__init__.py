"""Writes of the aftercare app, by topic:

- ``outbox``: making, moving and cancelling outbox rows; staff cancel and resend.
- ``rules``: the domain-event listeners that apply the message rules (which rows a booking,
  a move, a cancellation, a completed session or a consultation outcome creates).
- ``periodic``: the course scans behind the next-session nudge and the touch-up recall.
- ``sending``: the dispatcher, the send of one message, retries and recovery.
- ``preferences``: the client's email choices, unsubscribe.
- ``content``: templates, the aftercare plan and the timings that managers edit.
"""
