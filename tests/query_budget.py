"""Measuring a page's queries at two sizes: the budget of a list or detail page must not
grow with the rows it shows."""

from collections.abc import Callable

from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext


def queries_of_get(browser, url: str, **options) -> tuple[int, HttpResponse]:
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(url, **options)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries), response


def queries_before_and_after(
    browser, url: str, add_rows: Callable[[], object], **options
) -> tuple[int, int, HttpResponse]:
    """The page's query count with the rows already there, then again after ``add_rows``;
    a first untimed request lets the session settle (sign-in bookkeeping, cached ids)."""
    browser.get(url, **options)
    few, _ = queries_of_get(browser, url, **options)
    add_rows()
    many, response = queries_of_get(browser, url, **options)
    return few, many, response
