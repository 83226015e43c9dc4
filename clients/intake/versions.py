"""Every version of the health questionnaire the clinic has used.

A version is never edited once clients have answered it: to change a question, add a new
version (copy the tuple, change what must change) and point ``CURRENT`` at it. Old
submissions keep rendering with the wording the client actually saw.

Severity choices follow common SMP practice: conditions that make bleeding, healing or the
client's safety unpredictable block pigmentation until a practitioner clears them (with a
GP letter for blood thinners, heart conditions, blood pressure and recent chemotherapy);
conditions that only change how the practitioner works warn.
"""

from clients.intake.questionnaire import (
    BLOCK,
    WARN,
    FlagRule,
    Kind,
    Question,
    Questionnaire,
    Window,
)

SKIN = "Skin and scalp"
MEDICINES = "Medicines"
HEALTH = "Health"
TREATMENTS = "Recent treatments"
OTHER = "Anything else"

V2025_1 = Questionnaire(
    version="2025.1",
    title="Health questionnaire",
    questions=(
        Question(
            code="keloid",
            group=SKIN,
            text=(
                "Do your scars tend to become raised, thick or lumpy, for example after a cut, "
                "an operation or a piercing?"
            ),
            flag=FlagRule(label="Keloid / hypertrophic scarring", severity=BLOCK),
        ),
        Question(
            code="scalp_skin_condition",
            group=SKIN,
            text=(
                "Do you have psoriasis, eczema or seborrhoeic dermatitis (red, flaky or itchy "
                "patches) on your scalp?"
            ),
            detail_prompt="If yes, is it flaring up at the moment? (optional)",
            flag=FlagRule(label="Scalp dermatosis (psoriasis / eczema / SD)", severity=WARN),
        ),
        Question(
            code="scalp_active_lesion",
            group=SKIN,
            text=(
                "Right now, do you have spots or acne, sunburn, a cut or an infection anywhere "
                "on your scalp?"
            ),
            flag=FlagRule(label="Active scalp lesion / sunburn / infection", severity=BLOCK),
        ),
        Question(
            code="scalp_herpes",
            group=SKIN,
            text="Have you ever had cold sores or herpes on your scalp?",
            detail_prompt="If yes, when was the last outbreak? (optional)",
            flag=FlagRule(label="Scalp herpes simplex (HSV)", severity=BLOCK),
        ),
        Question(
            code="temporary_alopecia",
            group=SKIN,
            text=(
                "Are you losing hair in patches at the moment, or has a doctor said your hair "
                "loss could grow back (for example alopecia areata)?"
            ),
            flag=FlagRule(label="Alopecia in an active phase (e.g. areata)", severity=WARN),
        ),
        Question(
            code="blood_thinners",
            group=MEDICINES,
            text=(
                "Do you take medicine that thins your blood (such as warfarin, apixaban, "
                "clopidogrel or a daily aspirin), or do you bleed or bruise very easily?"
            ),
            detail_prompt="If yes, which medicine or condition? (optional)",
            flag=FlagRule(
                label="Anticoagulant / bleeding disorder", severity=BLOCK, requires_document=True
            ),
        ),
        Question(
            code="isotretinoin_steroids",
            group=MEDICINES,
            text=(
                "In the last 6 months, have you taken isotretinoin (Roaccutane) or used steroid "
                "tablets, injections or creams on your scalp?"
            ),
            detail_prompt="If yes, which medicine, and when did you stop? (optional)",
            flag=FlagRule(label="Isotretinoin / corticosteroid use", severity=BLOCK),
        ),
        Question(
            code="pigment_allergy",
            group=MEDICINES,
            text=(
                "Have you ever reacted badly to a tattoo, permanent make-up, hair dye or any "
                "other pigment?"
            ),
            detail_prompt="If yes, what happened? (optional)",
            flag=FlagRule(label="Prior pigment / ink hypersensitivity", severity=BLOCK),
        ),
        Question(
            code="pregnancy",
            group=HEALTH,
            text="Are you pregnant or breastfeeding?",
            flag=FlagRule(label="Pregnancy / lactation", severity=BLOCK),
        ),
        Question(
            code="heart_blood_pressure",
            group=HEALTH,
            text=(
                "Do you have a heart condition or high blood pressure, even if medicine keeps "
                "it under control?"
            ),
            detail_prompt="If yes, which condition, and which medicines? (optional)",
            flag=FlagRule(
                label="Cardiac condition / hypertension", severity=BLOCK, requires_document=True
            ),
        ),
        Question(
            code="diabetes",
            group=HEALTH,
            text="Do you have diabetes?",
            detail_prompt="If yes, which type, and how is it treated? (optional)",
            flag=FlagRule(label="Diabetes mellitus (slower healing)", severity=WARN),
        ),
        Question(
            code="epilepsy",
            group=HEALTH,
            text="Do you have epilepsy, or have you had a seizure or fit?",
            detail_prompt="If yes, when was the last one? (optional)",
            flag=FlagRule(label="Epilepsy / seizure history", severity=WARN),
        ),
        Question(
            code="chemotherapy",
            group=TREATMENTS,
            kind=Kind.YES_NO_DATE,
            text="Have you ever had chemotherapy?",
            hint="We only need to wait if the last treatment was in the past 6 months.",
            date_prompt="Date of your last chemotherapy treatment",
            date_label="Last chemotherapy",
            date_required_message="Give the date of your last chemotherapy treatment.",
            flag=FlagRule(
                label="Chemotherapy < 6 months",
                severity=BLOCK,
                requires_document=True,
                window=Window(months=6),
            ),
        ),
        Question(
            code="laser_removal",
            group=TREATMENTS,
            kind=Kind.YES_NO_DATE,
            text=(
                "Have you had laser treatment on your scalp, for example to remove a tattoo or "
                "an earlier scalp micropigmentation?"
            ),
            hint="We only need to wait if the last session was in the past 90 days.",
            date_prompt="Date of your last laser session",
            date_label="Last laser session",
            date_required_message="Give the date of your last laser session on the scalp.",
            flag=FlagRule(label="Laser removal < 90 days", severity=BLOCK, window=Window(days=90)),
        ),
        Question(
            code="other",
            group=OTHER,
            kind=Kind.TEXT,
            text=(
                "Any other medicines, supplements, allergies or health conditions we should "
                "know about?"
            ),
            hint="Leave this empty if there is nothing else.",
        ),
    ),
)

VERSIONS: dict[str, Questionnaire] = {V2025_1.version: V2025_1}
# The version new submissions use.
CURRENT = V2025_1.version


def questionnaire_current() -> Questionnaire:
    return VERSIONS[CURRENT]


def questionnaire_for(version: str) -> Questionnaire | None:
    """The questionnaire a stored intake was answered on; None for an unknown version."""
    return VERSIONS.get(version)
