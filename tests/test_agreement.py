"""Agreement statistics against published worked examples and edge cases."""
import math

import pytest

from escalation import agreement as ag
from escalation.errors import QueryError
from support.krippendorff import KRIPPENDORFF_C  # Krippendorff (2011), section C: alpha = 0.743

N = None
# Same paper, section A: two observers, binary data, ten units, no missing data; alpha = 0.095.
KRIPPENDORFF_A = [[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]
# Artstein, R. & Poesio, M. (2008), "Inter-Coder Agreement for Computational Linguistics", Computational
# Linguistics 34(4), Table 1: a 2x2 table [[20, 20], [10, 50]]; kappa = 0.348 (also used in scikit-learn's
# test_cohen_kappa). By hand: p_o = 0.70, p_e = 0.4*0.3 + 0.6*0.7 = 0.54, kappa = 0.16/0.46 = 0.3478.
AP_A = [0] * 40 + [1] * 60
AP_B = [0] * 20 + [1] * 20 + [0] * 10 + [1] * 50


def test_alpha_krippendorff_2011_nominal_with_missing():
    assert ag.krippendorff_alpha_nominal(KRIPPENDORFF_C) == pytest.approx(0.743, abs=5e-4)


def test_alpha_krippendorff_2011_binary_two_coders():
    assert ag.krippendorff_alpha_nominal(KRIPPENDORFF_A) == pytest.approx(0.095, abs=5e-4)


def test_coincidence_matrix_counts_pairable_values():
    values, matrix, n = ag.coincidence_matrix(KRIPPENDORFF_C)
    # Unit 12 has a single value, so 40 of the 41 values are pairable (paper: n.. = 40).
    assert n == 40
    assert sum(map(sum, matrix)) == pytest.approx(40)
    assert values == [1, 2, 3, 4, 5]


def test_kappa_artstein_poesio_table1():
    assert ag.cohen_kappa(AP_A, AP_B) == pytest.approx(0.348, abs=5e-4)
    assert ag.cohen_kappa(AP_B, AP_A) == pytest.approx(ag.cohen_kappa(AP_A, AP_B))
    assert ag.percent_agreement(AP_A, AP_B) == pytest.approx(0.70)
    assert ag.interpret_kappa(ag.cohen_kappa(AP_A, AP_B)) == "fair"


def test_kappa_three_categories_by_hand():
    a = ["x"] * 46 + ["y"] * 44 + ["z"] * 10
    b = ["x"] * 52 + ["y"] * 32 + ["z"] * 16
    # p_o = (46 + 32 + 10) / 100; p_e = .46*.52 + .44*.32 + .10*.16
    p_o, p_e = 0.88, 0.46 * 0.52 + 0.44 * 0.32 + 0.10 * 0.16
    assert ag.cohen_kappa(a, b) == pytest.approx((p_o - p_e) / (1 - p_e))


def test_perfect_agreement():
    codes = ["a", "b", "c", "a", "b"]
    assert ag.percent_agreement(codes, codes) == 1
    assert ag.cohen_kappa(codes, codes) == pytest.approx(1)
    assert ag.krippendorff_alpha_nominal([codes, codes]) == pytest.approx(1)


def test_single_category_is_undefined_not_perfect():
    same = ["none"] * 6
    assert ag.percent_agreement(same, same) == 1
    assert math.isnan(ag.cohen_kappa(same, same))
    assert math.isnan(ag.krippendorff_alpha_nominal([same, same]))
    assert "undefined" in ag.interpret_kappa(ag.cohen_kappa(same, same))
    assert "undefined" in ag.interpret_alpha(float("nan"))


def test_missing_codes_are_skipped_for_kappa_and_alpha():
    a = ["a", "b", None, "a", ""]
    b = ["a", "b", "a", None, "b"]
    assert ag.percent_agreement(a, b) == 1
    assert ag.cohen_kappa(a, b) == pytest.approx(1)
    assert ag.krippendorff_alpha_nominal([a, b]) == pytest.approx(1)
    assert math.isnan(ag.percent_agreement([None, None], ["a", "b"]))


def test_systematic_disagreement_is_negative():
    a, b = ["a", "b"] * 5, ["b", "a"] * 5
    assert ag.cohen_kappa(a, b) < 0
    assert ag.krippendorff_alpha_nominal([a, b]) < 0
    assert ag.interpret_kappa(ag.cohen_kappa(a, b)).startswith("poor")


def test_bands():
    assert ag.interpret_kappa(0.0) == "slight"
    assert ag.interpret_kappa(0.5) == "moderate"
    assert ag.interpret_kappa(0.7) == "substantial"
    assert ag.interpret_kappa(0.81) == "almost perfect"
    assert ag.interpret_alpha(0.81).startswith("reliable")
    assert ag.interpret_alpha(0.70).startswith("tentative")
    assert ag.interpret_alpha(0.60).startswith("not reliable")


def test_bad_input_messages():
    with pytest.raises(QueryError, match="different lengths"):
        ag.cohen_kappa(["a"], ["a", "b"])
    with pytest.raises(QueryError, match="two coders"):
        ag.krippendorff_alpha_nominal([["a", "b"]])
    with pytest.raises(QueryError, match="one value per unit"):
        ag.krippendorff_alpha_nominal([["a", "b"], ["a"]])


def test_confusion_matrix_and_compare():
    import pandas as pd

    a = pd.DataFrame({"sentence_id": ["s1", "s2", "s3", "s4"], "code": ["x", "y", "y", ""]})
    b = pd.DataFrame({"sentence_id": ["s1", "s2", "s3", "s4"], "code": ["x", "y", "x", "x"]})
    result = ag.compare(a, b, ["x", "y"])
    assert result.matrix.loc["y", "x"] == 1 and result.matrix.loc["x", "x"] == 1 and result.matrix.to_numpy().sum() == 3
    assert result.both_coded == 3 and result.units == 4
    assert list(result.disagreements["sentence_id"]) == ["s3"]
    assert any("lack a code" in n for n in result.notes)
    assert any("arbitrary" in c for c in result.caveats)
    fig = ag.plot_confusion(result.matrix)
    from escalation.plotting import accessibility_problems
    assert accessibility_problems(fig) == []
    assert "2 of 3" in fig.alt_text


def test_float32_nan_and_pd_na_count_as_missing():
    import numpy as np
    import pandas as pd

    a = ["a", "b", np.float32("nan"), "a", pd.NA, np.float64("nan"), pd.NaT]
    b = ["a", "b", "a", pd.NA, "b", "b", "a"]
    assert ag.percent_agreement(a, b) == 1
    assert ag.cohen_kappa(a, b) == pytest.approx(1)
    assert ag.krippendorff_alpha_nominal([a, b]) == pytest.approx(1)
    values, _, n = ag.coincidence_matrix([a, b])
    assert values == ["a", "b"] and n == 4
    assert ag.confusion_matrix(a, b).to_numpy().sum() == 2
    # the same through compare(), with the codes in a pandas column of dtype "string" (pd.NA) or float32
    ta = pd.DataFrame({"sentence_id": ["s1", "s2", "s3"], "code": pd.array(["x", pd.NA, "y"], dtype="string")})
    tb = pd.DataFrame({"sentence_id": ["s1", "s2", "s3"], "code": pd.array(["x", "y", "y"], dtype="string")})
    result = ag.compare(ta, tb)
    assert (result.both_coded, result.units, result.percent) == (2, 3, 1.0)
    fa = pd.DataFrame({"sentence_id": ["s1", "s2", "s3"], "code": np.array([1, np.nan, 2], dtype="float32")})
    fb = pd.DataFrame({"sentence_id": ["s1", "s2", "s3"], "code": np.array([1, 2, 2], dtype="float32")})
    assert ag.compare(fa, fb).both_coded == 2


def test_compare_gives_the_right_reason_for_an_undefined_kappa():
    import pandas as pd

    empty = pd.DataFrame({"sentence_id": [], "code": []})
    result = ag.compare(empty, empty)
    assert result.units == 0 and math.isnan(result.kappa)
    assert "nothing to compare" in result.summary()["kappa reading"]
    assert "chance agreement" not in result.summary()["kappa reading"]
    gaps = pd.DataFrame({"sentence_id": ["s1", "s2"], "code": ["x", None]})
    other = pd.DataFrame({"sentence_id": ["s1", "s2"], "code": [None, "y"]})
    assert "no unit was coded by both" in ag.compare(gaps, other).summary()["kappa reading"]
    same = pd.DataFrame({"sentence_id": ["s1", "s2", "s3"], "code": ["x", "x", "x"]})
    result = ag.compare(same, same)
    note = next(n for n in result.notes if n.startswith("Kappa is undefined"))
    assert "undefined: undefined" not in note and "one and the same code" in note
    assert "one and the same code" in result.summary()["kappa reading"]
    assert ag.kappa_undefined_reason(["x"], ["x"]) and ag.kappa_undefined_reason(["x", "y"], ["x", "y"]) == ""
    assert ag.kappa_undefined_reason([None], ["x"]) == ag.NO_UNITS
