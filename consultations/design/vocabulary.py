"""The words a design may use, with the labels people read.

Codes are what the JSON stores and must never change meaning once designs are saved; labels
may be reworded freely. The editor's template lists the same codes (a test keeps them equal).
"""

HAIRLINE_STYLES: dict[str, str] = {
    "natural": "Natural (soft)",
    "rounded": "Rounded",
    "straight": "Straight (edge)",
    "peaked": "Peaked",
    "receded": "Receded (mature)",
    "broken": "Broken (faded)",
}
DEFAULT_HAIRLINE_STYLE = "natural"

ZONES: dict[str, str] = {
    "front_hairline": "Front hairline",
    "temples": "Temples",
    "mid_scalp": "Mid-scalp",
    "crown": "Crown",
    "sides": "Sides",
    "back": "Back",
    "scar": "Scar",
}

# Three levels are what practitioners plan a pass with; finer steps are recorded per pass in
# the session log, not in the design.
DENSITIES: dict[str, str] = {
    "light": "Light",
    "medium": "Medium",
    "dense": "Dense",
}

# The clinic's shade scale, 1 the lightest pigment dilution and 5 the darkest; the pigment
# product and dilution that realise a shade are recorded per session.
SHADES: dict[str, str] = {
    "1": "1 (lightest)",
    "2": "2",
    "3": "3",
    "4": "4",
    "5": "5 (darkest)",
}
