"""csvsafe.neutralise: the characters OWASP's "CSV Injection" page lists as starting a formula
(=, +, -, @, tab 0x09, carriage return 0x0D) get a leading quote; numbers and other text stay as they are."""
import csv
import io

import pytest

from escalation.grading.csvsafe import FORMULA_PREFIXES, neutralise

OWASP = ["=", "+", "-", "@", "\x09", "\x0d"]  # typed from OWASP's list, not from the module


@pytest.mark.parametrize("prefix", OWASP)
def test_each_owasp_prefix_is_quoted(prefix):
    payload = prefix + "HYPERLINK(\"http://example.invalid\",\"x\")"
    assert neutralise(payload) == "'" + payload
    assert set(FORMULA_PREFIXES) == set(OWASP)


@pytest.mark.parametrize("value", ["Alice Smith", "O'Brien", "'=already quoted", "", "1+2", " =x", "Zoé"])
def test_other_text_is_unchanged(value):
    assert neutralise(value) == value


@pytest.mark.parametrize("value", [-3, -2.5, 0, 17.5, None])
def test_numbers_are_not_formulas(value):
    assert neutralise(value) is value  # a negative score stays a number


def test_a_neutralised_cell_reads_back_as_the_quoted_text():
    buffer = io.StringIO()
    csv.writer(buffer).writerow([neutralise("=1+2"), neutralise(-1.5), neutralise("@SUM(A1)")])
    assert next(csv.reader(io.StringIO(buffer.getvalue()))) == ["'=1+2", "-1.5", "'@SUM(A1)"]
