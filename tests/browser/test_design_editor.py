"""The hairline design editor in Chromium, on a test page with a strict CSP: drawing with a
mouse, a finger and a stylus, undo and redo, and JSON the server accepts."""

import json

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from consultations.design import validate_design
from consultations.design.curve import catmull_rom
from tests.consultations.test_design_schema import VALID

pytestmark = pytest.mark.urls("tests.consultations.editor_urls")

HAIRLINE = [(0.2, 0.42), (0.35, 0.34), (0.5, 0.31), (0.65, 0.34), (0.8, 0.42)]
TEMPLES = [(0.16, 0.5), (0.84, 0.5)]
CROWN = [(0.4, 0.08), (0.6, 0.08), (0.62, 0.22), (0.38, 0.22)]
# Where a click lands is rounded to a screen pixel: a few thousandths of the photo.
CLOSE = 0.006


@pytest.fixture
def design_photo(tmp_path, settings):
    """A 1200 × 800 "scalp" photo, generated for the test."""
    image = Image.new("RGB", (1200, 800), (196, 160, 138))
    ImageDraw.Draw(image).ellipse((250, 60, 950, 760), fill=(120, 95, 80))
    path = tmp_path / "scalp.png"
    image.save(path)
    settings.DESIGN_EDITOR_TEST_PHOTO = path
    return path


@pytest.fixture
def csp_errors(page):
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    return errors


def open_editor(page):
    page.goto("/design-editor/")
    editor = page.get_by_test_id("design-editor")
    expect(editor).to_have_attribute("data-design-ready", "true")
    return editor


def surface_box(page) -> dict:
    box = page.get_by_test_id("design-surface").bounding_box()
    assert box
    assert box["width"] > 300
    return box


def screen(box: dict, x: float, y: float) -> tuple[float, float]:
    return box["x"] + x * box["width"], box["y"] + y * box["height"]


def saved_json(page) -> dict:
    return json.loads(page.locator("input[name=design]").input_value())


def assert_points(actual, expected) -> None:
    assert len(actual) == len(expected)
    for (ax, ay), (ex, ey) in zip(actual, expected, strict=True):
        assert abs(ax - ex) <= CLOSE, (actual, expected)
        assert abs(ay - ey) <= CLOSE, (actual, expected)


def pointer(page, kind: str, event: str, box: dict, x: float, y: float, pointer_id: int) -> None:
    client_x, client_y = screen(box, x, y)
    page.get_by_test_id("design-surface").dispatch_event(
        event,
        {
            "pointerType": kind,
            "pointerId": pointer_id,
            "isPrimary": True,
            "clientX": client_x,
            "clientY": client_y,
            "button": 0 if event == "pointerdown" else -1,
            "buttons": 0 if event == "pointerup" else 1,
            "bubbles": True,
            "cancelable": True,
        },
    )


def test_a_practitioner_draws_hairline_temples_and_a_zone_then_undoes_and_redoes(
    page, design_photo, csp_errors
):
    editor = open_editor(page)
    status = page.get_by_test_id("design-status")
    page.evaluate(
        """() => {
          window.designChanges = [];
          document.querySelector("[data-design-editor]").addEventListener("design:change",
            (event) => window.designChanges.push(event.detail));
        }"""
    )
    box = surface_box(page)

    for x, y in HAIRLINE:
        page.mouse.click(*screen(box, x, y))
    expect(status).to_have_text("Hairline: 5 points.")

    editor.get_by_role("button", name="Temple points").click()
    for x, y in TEMPLES:
        page.mouse.click(*screen(box, x, y))
    expect(status).to_have_text("Temple points: 2 of 2.")
    page.mouse.click(*screen(box, 0.5, 0.7))
    expect(status).to_contain_text("Both temple points are placed")

    editor.get_by_role("button", name="Zone: tap").click()
    page.get_by_label("Zone", exact=True).select_option("crown")
    page.get_by_label("Density").select_option("dense")
    page.get_by_label("Shade").select_option("4")
    for x, y in CROWN:
        page.mouse.click(*screen(box, x, y))
    expect(status).to_have_text(
        "Zone crown: 4 points; tap the first point or Finish zone to close it."
    )
    page.mouse.click(*screen(box, *CROWN[0]))
    expect(status).to_have_text("Zone crown closed (4 points).")

    data = saved_json(page)
    design = validate_design(data)
    assert design.hairline.style == "natural"
    assert_points(design.hairline.points, HAIRLINE)
    assert_points(design.temples, TEMPLES)
    assert [(z.zone, z.density, z.shade) for z in design.zones] == [("crown", "dense", "4")]
    assert_points(design.zones[0].points, CROWN)

    # Undo reopens the zone (nothing saved changes), Ctrl+Z removes its last corner.
    finish = editor.get_by_role("button", name="Finish zone")
    expect(finish).to_be_disabled()
    editor.get_by_role("button", name="Undo").click()
    expect(status).to_contain_text("Undone: close the zone.")
    expect(finish).to_be_enabled()
    page.keyboard.press("Control+z")
    expect(status).to_contain_text("Undone: add a zone point.")
    assert_points(saved_json(page)["zones"][0]["points"], CROWN[:3])

    page.keyboard.press("Control+Shift+z")
    expect(status).to_contain_text("Redone: add a zone point.")
    assert_points(saved_json(page)["zones"][0]["points"], CROWN)
    editor.get_by_role("button", name="Redo").click()
    expect(status).to_contain_text("Redone: close the zone.")
    expect(finish).to_be_disabled()
    expect(editor.get_by_role("button", name="Redo")).to_be_disabled()

    final = saved_json(page)
    assert final == data
    assert all(0 <= v <= 1 for z in final["zones"] for p in z["points"] for v in p)
    changes = page.evaluate("window.designChanges")
    assert changes[-1]["json"] == page.locator("input[name=design]").input_value()
    # An event only when the saved JSON changes: not for the hairline's first point or the
    # zone's first two corners (not yet shapes), the fields chosen before drawing, or
    # closing and reopening the zone.
    assert len(changes) == 4 + 2 + 2 + 2
    assert [c["action"] for c in changes[-2:]] == ["undo", "redo"]

    page.get_by_role("button", name="Save design").click()
    expect(page.get_by_test_id("saved")).to_have_text(
        "Saved (hairline points: 5, temple points: 2, zones: 1)."
    )
    # The page comes back with the saved design loaded into the editor.
    expect(page.get_by_test_id("design-editor")).to_have_attribute("data-design-ready", "true")
    assert saved_json(page) == validate_design(data).to_dict()
    assert csp_errors == []


def test_fingers_and_a_stylus_draw_like_a_mouse(browser, live_server, design_photo):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1180, "height": 820}, has_touch=True
    )
    page = context.new_page()
    try:
        open_editor(page)
        box = surface_box(page)
        status = page.get_by_test_id("design-status")

        # Real touch input: Chromium turns the taps into pointer events of type "touch".
        for x, y in HAIRLINE[:3]:
            page.touchscreen.tap(*screen(box, x, y))
        expect(status).to_have_text("Hairline: 3 points.")
        assert_points(saved_json(page)["hairline"]["points"], HAIRLINE[:3])

        # A stylus drags the middle point down; a second finger meanwhile is ignored.
        pointer(page, "pen", "pointerdown", box, *HAIRLINE[1], pointer_id=7)
        pointer(page, "touch", "pointerdown", box, 0.9, 0.9, pointer_id=8)
        pointer(page, "pen", "pointermove", box, 0.36, 0.38, pointer_id=7)
        pointer(page, "pen", "pointermove", box, 0.37, 0.4, pointer_id=7)
        pointer(page, "pen", "pointerup", box, 0.37, 0.4, pointer_id=7)
        pointer(page, "touch", "pointerup", box, 0.9, 0.9, pointer_id=8)
        assert_points(
            saved_json(page)["hairline"]["points"], [HAIRLINE[0], (0.37, 0.4), HAIRLINE[2]]
        )

        # A finger taps the temple tool's surface through synthetic touch pointer events.
        page.get_by_role("button", name="Temple points").tap()
        pointer(page, "touch", "pointerdown", box, *TEMPLES[0], pointer_id=9)
        pointer(page, "touch", "pointerup", box, *TEMPLES[0], pointer_id=9)
        expect(status).to_have_text("Temple points: 1 of 2.")

        # A touch that the system cancels (a palm, a scroll) changes nothing.
        pointer(page, "touch", "pointerdown", box, *TEMPLES[1], pointer_id=10)
        page.get_by_test_id("design-surface").dispatch_event(
            "pointercancel", {"pointerType": "touch", "pointerId": 10, "bubbles": True}
        )
        expect(status).to_have_text("Drawing interrupted; nothing was changed.")

        design = validate_design(saved_json(page))
        assert_points(design.temples, TEMPLES[:1])
        assert len(design.hairline.points) == 3
    finally:
        context.close()


def test_select_move_delete_and_clear_on_a_saved_design(page, design_photo, settings):
    settings.DESIGN_EDITOR_TEST_INITIAL = VALID
    editor = open_editor(page)
    status = page.get_by_test_id("design-status")
    assert saved_json(page) == VALID
    box = surface_box(page)

    # The editor's curve is the server's curve, sample for sample.
    points = VALID["hairline"]["points"]
    browser_curve = page.evaluate("(points) => window.SMPDesignEditor.smooth(points)", points)
    assert browser_curve == [list(p) for p in catmull_rom(points)]

    # Tapping the curve between two points inserts a point there.
    between = catmull_rom(points)[24]
    page.mouse.click(*screen(box, *between))
    hairline = saved_json(page)["hairline"]["points"]
    assert len(hairline) == 6
    assert_points([hairline[2]], [between])

    editor.get_by_role("button", name="Select and move").click()
    start = screen(box, *VALID["temples"][0])
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(start[0] + 10, start[1] + 10, steps=4)
    page.mouse.move(*screen(box, 0.1, 0.6), steps=4)
    page.mouse.up()
    assert_points(saved_json(page)["temples"], [(0.1, 0.6), VALID["temples"][1]])

    # A zone picked with Select takes new field values; Delete removes it.
    page.mouse.click(*screen(box, 0.5, 0.15))
    expect(status).to_have_text("Zone crown selected.")
    page.get_by_label("Density").select_option("light")
    expect(status).to_have_text("Zone crown: density set to light.")
    assert saved_json(page)["zones"][1]["density"] == "light"
    editor.get_by_role("button", name="Delete the selected point or zone").click()
    expect(status).to_have_text("Zone crown deleted.")
    assert [z["zone"] for z in saved_json(page)["zones"]] == ["front_hairline"]

    # Arrow keys nudge the selected point.
    page.mouse.click(*screen(box, 0.1, 0.6))
    expect(status).to_have_text("Temple point 1 selected.")
    page.keyboard.press("Shift+ArrowRight")
    assert_points(saved_json(page)["temples"][:1], [(0.11, 0.6)])

    clear = editor.get_by_role("button", name="Clear all drawing")
    page.once("dialog", lambda dialog: dialog.dismiss())
    clear.click()
    assert len(saved_json(page)["zones"]) == 1
    page.once("dialog", lambda dialog: dialog.accept())
    clear.click()
    expect(status).to_have_text("Cleared. Undo brings the drawing back.")
    cleared = saved_json(page)
    assert (cleared["hairline"]["points"], cleared["temples"], cleared["zones"]) == ([], [], [])
    assert cleared["notes"] == VALID["notes"]

    page.keyboard.press("Control+z")
    assert len(saved_json(page)["zones"]) == 1
    validate_design(saved_json(page))


def test_without_javascript_the_photo_shows_with_a_note(browser, live_server, design_photo):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/design-editor/")
        expect(page.locator("[data-sde-photo]")).to_be_visible()
        expect(page.get_by_text("Drawing the design needs JavaScript")).to_be_visible()
        expect(page.get_by_role("toolbar")).to_be_hidden()
        assert page.locator("input[name=design]").input_value() == ""
    finally:
        context.close()


LEAVE_QUESTION = "The drawing has changes that are not saved yet. Leave this page and lose them?"


def test_an_unsaved_drawing_asks_before_the_photo_picker_or_a_link_leaves_the_page(
    page, sign_in, practitioner, smp_client
):
    from consultations.models import DesignPlan
    from tests.factories import make_consultation, make_photo, make_signed_consent

    make_signed_consent(client=smp_client, kind="photos", witness=practitioner)
    consultation = make_consultation(client=smp_client, practitioner=practitioner)
    older = make_photo(client=smp_client, by=practitioner, angle="top")
    newer = make_photo(client=smp_client, by=practitioner, angle="front")
    sign_in(practitioner)
    design_url = f"/consultations/{consultation.public_id}/design/"
    page.goto(design_url)
    editor = page.get_by_test_id("design-editor")
    expect(editor).to_have_attribute("data-design-ready", "true")
    picker = page.get_by_label("Photo to draw on")
    expect(picker).to_have_value(str(newer.public_id))

    # Nothing drawn yet: changing the photo just changes it.
    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    picker.select_option(str(older.public_id))
    page.wait_for_url(f"**photo={older.public_id}")
    expect(editor).to_have_attribute("data-design-ready", "true")
    assert asked == []

    box = surface_box(page)
    for x, y in HAIRLINE[:3]:
        page.mouse.click(*screen(box, x, y))
    expect(page.get_by_test_id("design-status")).to_have_text("Hairline: 3 points.")

    # Dismissed, the question keeps the page, the chosen photo and the drawing.
    picker = page.get_by_label("Photo to draw on")
    picker.select_option(str(newer.public_id))
    expect(picker).to_have_value(str(older.public_id))
    assert asked == [LEAVE_QUESTION]
    page.get_by_role("link", name="Add a photo").click()
    assert asked == [LEAVE_QUESTION, LEAVE_QUESTION]
    assert f"photo={older.public_id}" in page.url
    assert_points(saved_json(page)["hairline"]["points"], HAIRLINE[:3])

    # Saving is not leaving: no question, and the saved drawing can be left freely.
    page.get_by_role("button", name="Save as version 1").click()
    expect(page.locator("#messages")).to_contain_text("Design saved as version 1")
    assert len(asked) == 2
    assert DesignPlan.objects.get().photo == older
    page.get_by_label("Photo to draw on").select_option(str(newer.public_id))
    page.wait_for_url(f"**photo={newer.public_id}")
    assert len(asked) == 2


def test_an_unsaved_drawing_asks_before_the_tab_closes_and_accepting_leaves(
    page, sign_in, practitioner, smp_client
):
    from tests.factories import make_consultation, make_photo, make_signed_consent

    make_signed_consent(client=smp_client, kind="photos", witness=practitioner)
    consultation = make_consultation(client=smp_client, practitioner=practitioner)
    older = make_photo(client=smp_client, by=practitioner, angle="top")
    make_photo(client=smp_client, by=practitioner, angle="front")
    sign_in(practitioner)
    page.goto(f"/consultations/{consultation.public_id}/design/")
    expect(page.get_by_test_id("design-editor")).to_have_attribute("data-design-ready", "true")
    box = surface_box(page)
    for x, y in HAIRLINE[:2]:
        page.mouse.click(*screen(box, x, y))

    kinds: list[str] = []
    page.once("dialog", lambda dialog: (kinds.append(dialog.type), dialog.dismiss()))
    page.close(run_before_unload=True)
    page.wait_for_timeout(300)
    assert kinds == ["beforeunload"]
    assert not page.is_closed()

    # Accepting the clinic's question leaves without the browser asking a second time.
    page.once("dialog", lambda dialog: (kinds.append(dialog.type), dialog.accept()))
    page.get_by_label("Photo to draw on").select_option(str(older.public_id))
    page.wait_for_url(f"**photo={older.public_id}")
    assert kinds == ["beforeunload", "confirm"]


def test_without_photo_consent_the_editor_shows_the_last_version_and_lets_nothing_change(
    page, sign_in, practitioner, smp_client
):
    from clients.consent.services import consent_withdraw
    from tests.factories import make_consultation, make_design, make_photo, make_signed_consent

    consent = make_signed_consent(client=smp_client, kind="photos", witness=practitioner)
    consultation = make_consultation(client=smp_client, practitioner=practitioner)
    saved = make_design(
        consultation=consultation,
        by=practitioner,
        photo=make_photo(client=smp_client, by=practitioner),
    )
    consent_withdraw(consent=consent, by=practitioner, reason="No more photos")
    sign_in(practitioner)
    page.goto(f"/consultations/{consultation.public_id}/design/")
    editor = page.get_by_test_id("design-editor")
    expect(editor).to_have_attribute("data-design-ready", "true")
    expect(page.get_by_test_id("design-refusal")).to_contain_text("photo consent was withdrawn")
    status = page.get_by_test_id("design-status")
    expect(status).to_have_text("Read only: the saved design, shown as it was saved.")
    expect(editor.get_by_role("toolbar", name="Design tools")).to_be_hidden()
    expect(editor.get_by_label("Design notes")).to_be_hidden()
    # The saved drawing is on screen: its hairline and zones, and no handles to drag.
    surface = page.get_by_test_id("design-surface")
    expect(surface.locator("[data-layer=lines] *")).not_to_have_count(0)
    expect(surface.locator("[data-layer=handles] *")).to_have_count(0)
    before = saved_json(page)
    assert before["hairline"]["points"] == saved.design["hairline"]["points"]

    box = surface_box(page)
    page.mouse.click(*screen(box, 0.5, 0.6))
    page.keyboard.press("Control+z")
    expect(status).to_have_text("Read only: the saved design, shown as it was saved.")
    assert saved_json(page) == before

    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    # Closing the tab closes it: no "leave this page?" for a drawing that cannot change.
    with page.expect_event("close", timeout=3000):
        page.close(run_before_unload=True)
    assert asked == []
