"""The templates, aftercare plan and timings every clinic starts with (managers edit them).

Seeded by a data migration and re-ensured after every migrate/flush (post_migrate), like the
calendar's default appointment types; existing rows are never overwritten.
"""

from datetime import time

from smp_clinic.lib.defaults import seed_after_migrate

SIGN_OFF = "See you soon,\n{{ clinic.name }}"

TEMPLATES: dict[str, tuple[str, str]] = {
    "booking_confirmation": (
        "Your {{ appointment.type|lower }} on {{ appointment.date }}",
        "Hi {{ client.first_name }},\n\n"
        "Your {{ appointment.type|lower }}{% if appointment.session_label %} "
        "({{ appointment.session_label }}){% endif %} is booked for {{ appointment.date }} at "
        "{{ appointment.time }} with {{ appointment.practitioner }} at {{ appointment.location }}."
        "\n{% if appointment.address %}\nAddress: {{ appointment.address }}\n{% endif %}"
        "\nThe attached calendar file adds it to your calendar. If you need to change it, "
        "call us{% if appointment.phone %} on {{ appointment.phone }}{% endif %}.\n\n" + SIGN_OFF,
    ),
    "appointment_reminder": (
        "Reminder: {{ appointment.type|lower }} on {{ appointment.date }} "
        "at {{ appointment.time }}",
        "Hi {{ client.first_name }},\n\n"
        "A reminder of your {{ appointment.type|lower }} on {{ appointment.date }} at "
        "{{ appointment.time }} with {{ appointment.practitioner }} at {{ appointment.location }}."
        "\n\nIf you cannot make it, please let us know as soon as you can"
        "{% if appointment.phone %} on {{ appointment.phone }}{% endif %}.\n\n" + SIGN_OFF,
    ),
    "reschedule_notice": (
        "Your appointment has moved to {{ appointment.date }}",
        "Hi {{ client.first_name }},\n\n"
        "Your {{ appointment.type|lower }} has moved from {{ change.old_date }} at "
        "{{ change.old_time }} to {{ appointment.date }} at {{ appointment.time }}, with "
        "{{ appointment.practitioner }} at {{ appointment.location }}.\n\n"
        "The attached calendar file updates your calendar.\n\n" + SIGN_OFF,
    ),
    "cancellation_notice": (
        "Your appointment on {{ appointment.date }} is cancelled",
        "Hi {{ client.first_name }},\n\n"
        "Your {{ appointment.type|lower }} on {{ appointment.date }} at {{ appointment.time }} "
        "is cancelled. To book another time, reply to this email or call us"
        "{% if appointment.phone %} on {{ appointment.phone }}{% endif %}.\n\n"
        "Best wishes,\n{{ clinic.name }}",
    ),
    "no_show_follow_up": (
        "We missed you today",
        "Hi {{ client.first_name }},\n\n"
        "We were expecting you for your {{ appointment.type|lower }} on {{ appointment.date }} "
        "at {{ appointment.time }}. We hope all is well. Call us"
        "{% if appointment.phone %} on {{ appointment.phone }}{% endif %} or reply to this email "
        "and we will find you a new time.\n\nBest wishes,\n{{ clinic.name }}",
    ),
    "healing_check": (
        "How has your scalp healed? Send us a photo",
        "Hi {{ client.first_name }},\n\n"
        "It is {{ healing.days_since }} days since your {{ appointment.type|lower }}. Before the "
        "next step we would like to see how the pigment has settled.\n\n"
        "Please take a clear photo of your scalp in daylight and send it here:\n"
        "{{ healing.link }}\n\n"
        "The link is personal to you and works for 60 days.\n\n" + SIGN_OFF,
    ),
    "aftercare": (
        "{{ step.subject }}",
        "Hi {{ client.first_name }},\n\n{{ step.body }}\n\n"
        "If anything worries you (redness that spreads, heat or swelling after the first days),"
        " contact us straight away.\n\nTake care,\n{{ clinic.name }}",
    ),
    "next_session_nudge": (
        "Time to book your next session",
        "Hi {{ client.first_name }},\n\n"
        "Your last session was on {{ course.last_session_date }} and you have "
        "{{ course.sessions_left }} session{{ course.sessions_left|pluralize }} of your course "
        "left. Each pass builds on the last, so it is best not to leave too long between them."
        "\n\nReply to this email or call us to book.\n\n" + SIGN_OFF,
    ),
    "consultation_follow_up": (
        "Any questions after your consultation?",
        "Hi {{ client.first_name }},\n\n"
        "Thank you for coming in on {{ consultation.date }}. You said you would like some time "
        "to think it over; if any questions have come up, {{ consultation.practitioner }} is "
        "happy to answer them. Reply to this email or call us whenever suits you.\n\n"
        "Best wishes,\n{{ clinic.name }}",
    ),
    "touch_up_recall": (
        "Is it time for a touch-up?",
        "Hi {{ client.first_name }},\n\n"
        "It has been about {{ recall.months_since }} months since you completed your scalp "
        "micropigmentation. Pigment softens gradually with sun and time, and a short touch-up "
        "session keeps the result crisp.\n\nReply to this email or call us to book.\n\n"
        "Best wishes,\n{{ clinic.name }}",
    ),
}

PLAN_NAME = "Standard SMP aftercare"

# (day offset, time of day, subject, body) — DESIGN.md's default SMP plan.
PLAN_STEPS: list[tuple[int, time, str, str]] = [
    (
        0,
        time(18),
        "Your aftercare: the first four days",
        "Your scalp is healing. Until the end of day 4:\n"
        "- no water on the scalp: no washing, showering over the head or swimming;\n"
        "- no sweating: no gym, sport, sauna or hot, heavy work;\n"
        "- no touching, scratching or picking, even when it itches;\n"
        "- no shaving the treated area.\n"
        "Sleep on a clean pillowcase and keep out of the sun: no sun on the scalp for two "
        "weeks.",
    ),
    (
        4,
        time(9),
        "Day 4: you can wet your scalp again",
        "From today you may rinse your scalp with lukewarm water or a mild, unscented "
        "cleanser. Pat it dry with a clean towel; do not rub. Still no sweating and no "
        "shaving yet.",
    ),
    (
        6,
        time(9),
        "Day 6: start moisturising",
        "From today, a thin layer of a gentle, unscented moisturiser once a day keeps the "
        "skin comfortable as it finishes healing.",
    ),
    (
        10,
        time(9),
        "Day 10: exercise and shaving again",
        "You can exercise and shave the treated area again. Use a fresh blade and go gently "
        "for the first shaves.",
    ),
    (
        14,
        time(9),
        "Two weeks: sun with care",
        "Your scalp can see the sun again: cover it or use a high-factor sunscreen (SPF 30 "
        "or more). Pools, saunas, steam rooms and sunbeds stay off-limits until day 30.",
    ),
    (
        30,
        time(9),
        "Day 30: pools, sauna and steam",
        "Pools, saunas, steam rooms and UV are fine again. Your pigment has settled.",
    ),
    (
        90,
        time(10),
        "Keeping your result: sun protection",
        "For the long term, sun is what fades pigment fastest. Use SPF 30+ on your scalp or "
        "wear a hat whenever you are out in strong sun.",
    ),
]


def ensure_defaults(template_model, plan_model, step_model, settings_model) -> None:
    """Create whatever is missing; never touch what a manager has edited."""
    for kind, (subject, body) in TEMPLATES.items():
        template_model.objects.get_or_create(
            kind=kind, defaults={"subject": subject, "body_text": body}
        )
    if not plan_model.objects.exists():
        plan = plan_model.objects.create(name=PLAN_NAME, is_default=True)
        step_model.objects.bulk_create(
            step_model(plan=plan, day_offset=day, send_time=at, subject=subject, body=body)
            for day, at, subject, body in PLAN_STEPS
        )
    settings_model.objects.get_or_create(pk=1)


ensure_defaults_after_migrate = seed_after_migrate(
    ensure_defaults,
    "aftercare.MessageTemplate",
    "aftercare.AftercarePlan",
    "aftercare.AftercareStep",
    "aftercare.MessageSettings",
)
