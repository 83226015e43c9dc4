import pytest

from smp_clinic.lib.text import and_list, counted, ordinal


@pytest.mark.parametrize(
    ("items", "text"),
    [([], ""), ([24], "24"), ([48, 24], "48 and 24"), ([72, 48, 24], "72, 48 and 24")],
)
def test_and_list_lists_as_a_sentence_does(items, text):
    assert and_list(items) == text


def test_counted_puts_the_noun_in_the_plural_except_for_one():
    assert [counted(n, "hour") for n in (0, 1, 2)] == ["0 hours", "1 hour", "2 hours"]


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (102, "102nd"),
        (111, "111th"),
    ],
)
def test_ordinal(number, text):
    assert ordinal(number) == text
