"""The main pages fit the window at the clinic's tablet width and on a laptop: nothing sticks
out past the right edge, so the page never scrolls sideways (the calendar grid scrolls inside
its own box)."""

import pytest

from tests.factories import RoomFactory, give_rota, make_appointment, next_weekday

WIDTHS = (820, 1280)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_front_desks_main_pages_have_no_horizontal_overflow(
    page, sign_in, front_desk, practitioner, smp_client, location, width
):
    give_rota(practitioner, location)
    day = next_weekday(1)
    make_appointment(
        client=smp_client,
        practitioner=practitioner,
        room=RoomFactory(location=location, name="Consultation room"),
        day=day,
    )
    sign_in(front_desk)
    page.set_viewport_size({"width": width, "height": 900})
    for url in (
        "/",
        "/clients/",
        f"/calendar/?date={day.isoformat()}",
        f"/calendar/week/?date={day.isoformat()}",
        "/calendar/book/",
    ):
        page.goto(url)
        scroll_width, inner_width = page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert scroll_width <= inner_width, (url, width, scroll_width)
