"""The consent texts a fresh clinic starts with (version 1 of each kind).

Managers publish later versions in the app. Used by the data migration and after every
migrate or test flush, so the three consent forms always exist; a kind that already has a
template keeps it, and a template that already has versions gets no new one.
"""

from smp_clinic.lib.defaults import seed_after_migrate

TREATMENT = "\n".join(
    [
        (
            "I agree to have scalp micropigmentation (SMP) at this clinic. SMP places small "
            "dots of pigment into the upper layer of the skin of the scalp with fine "
            "needles, to look like hair follicles or to add the look of density. It is a "
            "cosmetic tattoo: it lasts for years but it is not permanent, and it does not "
            "make hair grow."
        ),
        "",
        "I understand that:",
        (
            "- A course is usually two to four sessions, one to four weeks apart. The first "
            "session uses a lighter shade on purpose; the shade and density of the next "
            "sessions are set once it has healed."
        ),
        (
            "- Results vary from person to person. The healed colour can differ from the "
            "colour on the day, can look slightly blue, grey or green in some lights, and "
            "can vary across the scalp."
        ),
        (
            "- The pigment fades over the years, faster with sun exposure, so touch-up "
            "sessions are needed to keep the result. Touch-ups are charged separately."
        ),
        (
            "- Redness, swelling, tenderness and small scabs are normal for a few days. "
            "Rarely there can be infection, an allergic reaction to the pigment, pigment "
            "spreading under the skin (blurring) or scarring, especially on skin that scars "
            "easily."
        ),
        (
            "- SMP can be lightened or removed, for example by laser, but this is slow, "
            "costly and not always complete."
        ),
        "",
        "I confirm that:",
        (
            "- I have answered the health questions truthfully, and I will tell the clinic "
            "about any change in my health or medication before each session."
        ),
        (
            "- The practitioner has explained the treatment, its risks and the alternatives, "
            "including having no treatment, and I have been able to ask questions."
        ),
        "",
        (
            "Aftercare is my responsibility. I will follow the aftercare instructions I am "
            "given, because the result depends on them: for the first days this means "
            "keeping my scalp dry, not sweating, not touching, scratching or shaving it, and "
            "keeping it out of the sun. I will contact the clinic if I notice signs of "
            "infection or anything that worries me."
        ),
        "",
        (
            "My right to withdraw: I can stop the course and withdraw this consent at any "
            "time by telling the clinic. Withdrawing does not undo treatment already given."
        ),
    ]
)

PHOTOS = "\n".join(
    [
        (
            "I agree that the clinic takes photographs of my scalp and head before, during "
            "and after my treatment."
        ),
        "",
        "What the photos are for:",
        (
            "- They are part of my clinical record. My practitioner uses them to plan my "
            "hairline and density, to choose the shade, to compare my sessions and my "
            "healing, and to plan touch-ups in later years."
        ),
        (
            "- They are kept private. Only the clinic's practitioners and managers can see "
            "them; reception staff cannot. They are not shown or given to anyone else unless "
            "the law requires it."
        ),
        (
            "- They are taken on clinic devices. Location data and other hidden information "
            "are removed from every photo when it is stored."
        ),
        "",
        (
            "Any other use is optional and needs my separate permission. The clinic will "
            "never use my photos on its website, on social media, in advertising or for "
            "training unless I give separate written permission for that particular use. "
            "Saying no does not affect my treatment."
        ),
        "",
        (
            "My right to withdraw: I can withdraw this consent at any time by telling the "
            "clinic, and no new photos will be taken. Photos already taken stay in my "
            "clinical record as part of the record of my treatment, unless I ask for them to "
            "be erased and the clinic is not required by law to keep them."
        ),
    ]
)

MARKETING = "\n".join(
    [
        "I would like the clinic to email me about:",
        (
            "- touch-ups: a reminder when a touch-up session is due, to keep my result "
            "looking its best as the pigment fades over the years;"
        ),
        "- news and offers from the clinic, such as touch-up prices and new services.",
        "",
        (
            "The clinic will use my email address only for these emails and will never sell "
            "or share my details with anyone else."
        ),
        "",
        (
            "This consent is optional. Saying no does not affect my treatment, and I will "
            "still receive the appointment confirmations, reminders and aftercare "
            "instructions that are part of my treatment."
        ),
        "",
        (
            "My right to withdraw: I can withdraw this consent at any time, by using the "
            "unsubscribe link in any of these emails or by telling the clinic, and the "
            "emails will stop."
        ),
    ]
)

DEFAULTS = {
    "treatment": ("Consent to scalp micropigmentation treatment", TREATMENT),
    "photos": ("Consent to clinical photographs", PHOTOS),
    "marketing": ("Consent to emails about touch-ups and offers", MARKETING),
}


def ensure_default_texts(template_model, version_model) -> None:
    for kind, (title, body) in DEFAULTS.items():
        template, _ = template_model.objects.get_or_create(kind=kind, defaults={"title": title})
        if not version_model.objects.filter(template=template).exists():
            version_model.objects.create(
                template=template, number=1, body=body, change_note="The clinic's default text."
            )


ensure_default_texts_after_migrate = seed_after_migrate(
    ensure_default_texts, "clients.ConsentTemplate", "clients.ConsentVersion"
)
