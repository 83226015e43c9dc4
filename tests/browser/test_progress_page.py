from playwright.sync_api import expect

from tests.factories import make_consultation, make_design, make_photo, make_signed_consent


def test_the_design_toggle_lays_the_design_over_the_photos_of_its_angle(
    page, sign_in, practitioner, smp_client
):
    make_signed_consent(client=smp_client, kind="photos", witness=practitioner)
    front = make_photo(client=smp_client, by=practitioner, angle="front", kind="baseline")
    make_photo(client=smp_client, by=practitioner, angle="top", kind="baseline")
    consultation = make_consultation(client=smp_client, practitioner=practitioner)
    make_design(consultation=consultation, by=practitioner, photo=front)
    sign_in(practitioner)

    page.goto(f"/sessions/clients/{smp_client.public_id}/progress/")
    overlay = page.get_by_test_id("design-svg")
    expect(overlay).to_have_count(1)
    expect(overlay).to_be_hidden()
    expect(page.get_by_test_id("design-overlay")).to_be_hidden()

    page.get_by_label("Show the design").check()
    expect(overlay).to_be_visible()
    expect(page.get_by_test_id("design-overlay")).to_be_visible()
    photo_box = page.get_by_test_id("progress-photo").first.bounding_box()
    svg_box = overlay.bounding_box()
    assert abs(svg_box["width"] - photo_box["width"]) < 2
    assert abs(svg_box["height"] - photo_box["height"]) < 2
    assert abs(svg_box["x"] - photo_box["x"]) < 2

    page.get_by_label("Show the design").uncheck()
    expect(overlay).to_be_hidden()
