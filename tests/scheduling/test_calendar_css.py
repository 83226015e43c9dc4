import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_calendar_grid_css_matches_its_generator():
    spec = importlib.util.spec_from_file_location(
        "gen_calendar_css", ROOT / "scripts" / "gen_calendar_css.py"
    )
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    assert (ROOT / "static" / "css" / "calendar-grid.css").read_text() == generator.render()
