"""The clinical vocabularies of an SMP assessment (see DESIGN.md's domain facts)."""

from django.db import models


class Concern(models.TextChoices):
    MALE_PATTERN = "male_pattern", "Male pattern baldness"
    FEMALE_THINNING = "female_thinning", "Female thinning"
    SCAR = "scar", "Scar camouflage"
    ALOPECIA = "alopecia", "Alopecia"
    OTHER = "other", "Other"


class Norwood(models.TextChoices):
    I = "I", "I"  # noqa: E741 - the stage is called I
    II = "II", "II"
    IIA = "IIa", "IIa"
    III = "III", "III"
    IIIA = "IIIa", "IIIa"
    III_VERTEX = "III vertex", "III vertex"
    IV = "IV", "IV"
    IVA = "IVa", "IVa"
    V = "V", "V"
    VA = "Va", "Va"
    VI = "VI", "VI"
    VII = "VII", "VII"


class Ludwig(models.TextChoices):
    I = "I", "Ludwig I"  # noqa: E741
    II = "II", "Ludwig II"
    III = "III", "Ludwig III"


class Savin(models.TextChoices):
    I1 = "I-1", "Savin I-1"
    I2 = "I-2", "Savin I-2"
    I3 = "I-3", "Savin I-3"
    I4 = "I-4", "Savin I-4"
    II1 = "II-1", "Savin II-1"
    II2 = "II-2", "Savin II-2"
    III = "III", "Savin III"
    ADVANCED = "advanced", "Savin advanced"
    FRONTAL = "frontal", "Savin frontal"


class ScarType(models.TextChoices):
    FUT = "fut_strip", "FUT strip"
    FUE = "fue_dots", "FUE dots"
    INJURY = "injury", "Injury"
    SURGICAL = "surgical", "Surgical"


class Fitzpatrick(models.TextChoices):
    I = "I", "I — very fair, always burns"  # noqa: E741
    II = "II", "II — fair, usually burns"
    III = "III", "III — medium, sometimes burns"
    IV = "IV", "IV — olive, rarely burns"
    V = "V", "V — brown, very rarely burns"
    VI = "VI", "VI — dark brown to black, never burns"


class ScalpCondition(models.TextChoices):
    HEALTHY = "healthy", "Healthy"
    DRY = "dry", "Dry"
    OILY = "oily", "Oily"
    SENSITIVE = "sensitive", "Sensitive / reactive"
    FLAKING = "flaking", "Flaking"
    SCARRED = "scarred", "Scarred"


class HairColour(models.TextChoices):
    BLACK = "black", "Black"
    DARK_BROWN = "dark_brown", "Dark brown"
    BROWN = "brown", "Brown"
    LIGHT_BROWN = "light_brown", "Light brown"
    BLONDE = "blonde", "Blonde"
    RED = "red", "Red"
    SALT_PEPPER = "salt_pepper", "Salt and pepper"
    GREY_WHITE = "grey_white", "Grey / white"


class Outcome(models.TextChoices):
    SHAVED = "shaved", "Shaved look"
    DENSITY = "density", "Density behind hair"
    SCAR = "scar", "Scar camouflage"


class HairlineStyle(models.TextChoices):
    NATURAL = "natural", "Natural / soft"
    ROUNDED = "rounded", "Rounded"
    STRAIGHT = "straight", "Straight / edge"
    PEAKED = "peaked", "Peaked"
    RECEDED = "receded", "Receded / mature"
    BROKEN = "broken", "Broken / faded"


class Density(models.TextChoices):
    LIGHT = "light", "Light"
    MEDIUM = "medium", "Medium"
    DENSE = "dense", "Dense"


class Decision(models.TextChoices):
    PROCEED = "proceed", "Proceed"
    THINKING = "thinking", "Thinking it over"
    NOT_SUITABLE = "not_suitable", "Not suitable"
