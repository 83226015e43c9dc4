"""The treatment zones of the scalp (DESIGN.md), shared by designs and the session log."""

ZONES = [
    ("front_hairline", "Front hairline"),
    ("temples", "Temples"),
    ("mid_scalp", "Mid-scalp"),
    ("crown", "Crown"),
    ("sides", "Sides"),
    ("back", "Back"),
    ("scar", "Donor scar"),
]
ZONE_CODES = {code for code, _ in ZONES}
ZONE_LABELS = dict(ZONES)
