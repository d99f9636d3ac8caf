"""Agreement between coders: percent agreement, Cohen's kappa, Krippendorff's alpha, confusion matrix.

If two careful people, using the same scheme, give the same sentences different codes, the codes
measure the coders as much as the text. These statistics say how far coders agree, and how much of
that agreement chance alone would give.

- Percent agreement: the share of units both coded alike. Easy to read, but two coders who both say
  "none" to almost everything agree a lot without the scheme doing any work.
- Cohen's kappa (Cohen 1960): κ = (p_o − p_e) / (1 − p_e), where p_e is the agreement expected if each
  coder assigned codes at random with their own frequencies. Two coders, units both coded.
- Krippendorff's alpha for nominal data (Krippendorff 2011, "Computing Krippendorff's
  Alpha-Reliability"; Hayes & Krippendorff 2007): α = 1 − D_o / D_e from the coincidence matrix of
  all pairable values. Any number of coders, missing codes allowed, corrected for small samples.

Undefined cases: when chance agreement is already perfect (both coders used one and the same
category for everything, p_e = 1), kappa is 0/0; when every pairable value is the same category,
alpha is 0/0. Both functions then return NaN (not a number), and `interpret_kappa`/`interpret_alpha`
and `compare` say why in words, rather than reporting a reassuring 1.0 that the data cannot support.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from . import plotting
from .errors import QueryError

MISSING = {None, ""}

# Landis, J. R. & Koch, G. G. (1977), "The measurement of observer agreement for categorical data",
# Biometrics 33(1), 159–174: benchmark labels for kappa (their own words: "arbitrary" divisions).
LANDIS_KOCH = [(0.0, "poor (below 0)"), (0.20, "slight"), (0.40, "fair"), (0.60, "moderate"), (0.80, "substantial"),
               (1.0, "almost perfect")]
KAPPA_CAVEAT = ("Landis and Koch called their bands arbitrary; kappa also depends on how often each code is "
                "used (with one dominant code, high percent agreement can give a low kappa).")
ALPHA_CAVEAT = ("Krippendorff's thresholds are conventions for drawing conclusions from data, not laws: "
                "what is acceptable depends on the cost of being wrong; a few units give an unstable alpha.")


def _is_missing(value) -> bool:
    """None, "", NaN of any float type (Python, NumPy float32/float64), pd.NA and pd.NaT count as missing."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, str):
        return value == ""
    try:
        return bool(value != value)  # NaN is the only value not equal to itself
    except (TypeError, ValueError):  # objects whose comparison is ambiguous are codes, not gaps
        return False


def _pairs(a, b) -> list[tuple]:
    if len(a) != len(b):
        raise QueryError(f"The two codings have different lengths ({len(a)} and {len(b)}): they must code the "
                         "same units in the same order.")
    return [(x, y) for x, y in zip(a, b) if not _is_missing(x) and not _is_missing(y)]


def percent_agreement(a, b) -> float:
    """Share of units (coded by both) that got the same code, from 0 to 1; NaN if no unit was coded by both."""
    pairs = _pairs(a, b)
    if not pairs:
        return float("nan")
    return sum(x == y for x, y in pairs) / len(pairs)


def cohen_kappa(a, b) -> float:
    """Cohen's kappa for two coders over the units both coded; NaN when undefined (p_e = 1 or no units)."""
    pairs = _pairs(a, b)
    n = len(pairs)
    if n == 0:
        return float("nan")
    p_o = sum(x == y for x, y in pairs) / n
    count_a = Counter(x for x, _ in pairs)
    count_b = Counter(y for _, y in pairs)
    p_e = sum(count_a[c] * count_b[c] for c in count_a) / (n * n)
    if math.isclose(p_e, 1.0):
        return float("nan")
    return (p_o - p_e) / (1 - p_e)


def coincidence_matrix(data) -> tuple[list, list[list[float]], int]:
    """Krippendorff's coincidence matrix for nominal data.

    `data` holds one sequence per coder, each with one value per unit (None, NaN or "" = missing).
    Units with fewer than two values are not pairable and are left out. Returns (values, matrix, n),
    where n is the number of pairable values.
    """
    coders = [list(c) for c in data]
    if len(coders) < 2:
        raise QueryError("Agreement needs at least two coders.")
    length = len(coders[0])
    if any(len(c) != length for c in coders):
        raise QueryError("Every coder must have one value per unit (use None for a missing code).")
    values = sorted({v for c in coders for v in c if not _is_missing(v)}, key=str)
    index = {v: i for i, v in enumerate(values)}
    matrix = [[0.0] * len(values) for _ in values]
    n = 0
    for unit in range(length):
        present = [c[unit] for c in coders if not _is_missing(c[unit])]
        m = len(present)
        if m < 2:
            continue
        n += m
        counts = Counter(present)
        for v, cv in counts.items():
            for k, ck in counts.items():
                pairs = cv * (cv - 1) if v == k else cv * ck
                matrix[index[v]][index[k]] += pairs / (m - 1)
    return values, matrix, n


def krippendorff_alpha_nominal(data) -> float:
    """Krippendorff's alpha for nominal data, any number of coders, missing values allowed.

    α = 1 − (n − 1) · Σ_{c≠k} o_ck / Σ_{c≠k} n_c · n_k, with o the coincidence matrix, n_c its
    marginals and n the number of pairable values (Krippendorff 2011, section C). NaN when undefined:
    no pairable values, or only one category among them (no variation to explain).
    """
    values, matrix, n = coincidence_matrix(data)
    if n < 2:
        return float("nan")
    marginals = [sum(row) for row in matrix]
    observed = sum(matrix[c][k] for c in range(len(values)) for k in range(len(values)) if c != k)
    expected = sum(marginals[c] * marginals[k] for c in range(len(values)) for k in range(len(values)) if c != k)
    if expected == 0:
        return float("nan")
    return 1 - (n - 1) * observed / expected


NO_UNITS = "no unit was coded by both coders, so there is nothing to compare"
ONE_CODE = ("chance agreement is already perfect (both coders used one and the same code throughout), so kappa "
            "cannot say anything")


def kappa_undefined_reason(a, b) -> str:
    """Why Cohen's kappa is undefined for these codings ("" when it is defined)."""
    pairs = _pairs(a, b)
    if not pairs:
        return NO_UNITS
    return ONE_CODE if math.isnan(cohen_kappa(a, b)) else ""


def interpret_kappa(kappa: float, reason: str | None = None) -> str:
    """Landis & Koch's (1977) label for a kappa value, or why there is none.

    For an undefined kappa (NaN) pass `reason` (from `kappa_undefined_reason`) when the codings are at hand;
    without it the usual cause, one and the same code throughout, is given.
    """
    if kappa is None or math.isnan(kappa):
        return "undefined: " + (reason or ONE_CODE)
    if kappa < 0:
        return "poor (less than chance agreement)"
    for upper, label in LANDIS_KOCH[1:]:
        if kappa <= upper + 1e-12:
            return label
    return "almost perfect"


def interpret_alpha(alpha: float) -> str:
    """Krippendorff's guidance for alpha: ≥ .800 reliable; .667–.800 tentative conclusions only; below, not reliable."""
    if alpha is None or math.isnan(alpha):
        return "undefined: the coders' values show no variation (one category only) or there are no pairable values"
    if alpha >= 0.800:
        return "reliable by Krippendorff's convention (α ≥ .800)"
    if alpha >= 0.667:
        return "tentative conclusions only (.667 ≤ α < .800)"
    return "not reliable by Krippendorff's convention (α < .667)"


def confusion_matrix(a, b, codes: list[str] | None = None, *, names: tuple[str, str] = ("coder A", "coder B")) -> pd.DataFrame:
    """Counts of each pair of codes: rows are coder A's codes, columns coder B's (units coded by both)."""
    pairs = _pairs(a, b)
    codes = list(codes) if codes else sorted({x for p in pairs for x in p}, key=str)
    unknown = sorted({x for p in pairs for x in p} - set(codes), key=str)
    if unknown:
        raise QueryError(f"Codes not in the list given: {', '.join(map(str, unknown))}.")
    counts = Counter(pairs)
    frame = pd.DataFrame([[counts[(r, c)] for c in codes] for r in codes], index=codes, columns=codes, dtype="int64")
    frame.index.name, frame.columns.name = names
    return frame


@dataclass
class Comparison:
    """The agreement between two codings of the same units, with plain-language readings."""

    units: int
    both_coded: int
    percent: float
    kappa: float
    alpha: float
    matrix: pd.DataFrame
    disagreements: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    figure: object = None
    kappa_reason: str = ""  # why kappa is undefined ("" when it is defined)

    @property
    def caveats(self) -> list[str]:
        """The caveats that go with the conventional readings of kappa and alpha."""
        return [KAPPA_CAVEAT, ALPHA_CAVEAT]

    def summary(self) -> dict:
        return {"units": self.units, "coded by both": self.both_coded,
                "percent agreement": round(100 * self.percent, 1) if not math.isnan(self.percent) else float("nan"),
                "Cohen's kappa": round(self.kappa, 3) if not math.isnan(self.kappa) else float("nan"),
                "kappa reading": interpret_kappa(self.kappa, self.kappa_reason),
                "Krippendorff's alpha": round(self.alpha, 3) if not math.isnan(self.alpha) else float("nan"),
                "alpha reading": interpret_alpha(self.alpha)}


def compare(a: pd.DataFrame, b: pd.DataFrame, codes: list[str] | None = None,
            names: tuple[str, str] = ("coder A", "coder B")) -> Comparison:
    """Compare two coding tables (columns sentence_id, code, optionally sentence) unit by unit."""
    for label, table in zip(names, (a, b)):
        if not {"sentence_id", "code"} <= set(table.columns):
            raise QueryError(f"The coding of {label} needs the columns sentence_id and code.")
    ids = sorted((i for i in set(a["sentence_id"]) | set(b["sentence_id"]) if not _is_missing(i)), key=str)
    code_a = dict(zip(a["sentence_id"], a["code"]))
    code_b = dict(zip(b["sentence_id"], b["code"]))
    va = ["" if _is_missing(code_a.get(i)) else code_a[i] for i in ids]
    vb = ["" if _is_missing(code_b.get(i)) else code_b[i] for i in ids]
    both = sum(1 for x, y in zip(va, vb) if x != "" and y != "")
    comparison = Comparison(units=len(ids), both_coded=both, percent=percent_agreement(va, vb),
                            kappa=cohen_kappa(va, vb), alpha=krippendorff_alpha_nominal([va, vb]),
                            matrix=confusion_matrix(va, vb, codes, names=names), disagreements=pd.DataFrame(),
                            kappa_reason=kappa_undefined_reason(va, vb))
    text = {}
    for table in (a, b):
        if "sentence" in table:
            text.update({k: v for k, v in zip(table["sentence_id"], table["sentence"]) if not _is_missing(v)})
    comparison.disagreements = pd.DataFrame(
        [{"sentence_id": i, names[0]: x, names[1]: y, "sentence": text.get(i, "")}
         for i, x, y in zip(ids, va, vb) if x != "" and y != "" and x != y],
        columns=["sentence_id", names[0], names[1], "sentence"])
    if both < len(ids):
        comparison.notes.append(f"{len(ids) - both} of {len(ids)} sentences lack a code from one coder or both; "
                                "kappa and percent agreement use only the sentences both coded, alpha every "
                                "sentence with two codes.")
    if both == 0:
        comparison.notes.append("No sentence was coded by both: there is nothing to compare yet.")
    elif math.isnan(comparison.kappa):
        comparison.notes.append(f"Kappa is undefined: {comparison.kappa_reason}.")
    if both and both < 30:
        noun = "sentence" if both == 1 else "sentences"
        comparison.notes.append(f"Only {both} {noun} coded by both: one changed code moves the figures a lot, so "
                                "read them as rough.")
    return comparison


def plot_confusion(matrix: pd.DataFrame, *, title: str = "Where the two codings agree and differ"):
    """Heat map of a confusion matrix with each count written in its cell (colour is not the only cue)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    data = matrix.to_numpy()
    ax.imshow(data, cmap="Blues", vmin=0, vmax=max(1, data.max()))
    labels = [str(c).replace("_", " ") for c in matrix.columns]
    ax.set_xticks(range(len(labels)), labels, rotation=35, ha="right")
    ax.set_yticks(range(len(labels)), [str(c).replace("_", " ") for c in matrix.index])
    for r in range(data.shape[0]):
        for c in range(data.shape[1]):
            value = int(data[r, c])
            weight = "bold" if r == c else "normal"
            ax.text(c, r, str(value), ha="center", va="center", fontweight=weight,
                    color="white" if value > data.max() / 2 else "black")
    agree = int(sum(data[i, i] for i in range(min(data.shape))))
    total = int(data.sum())
    off = [f"{matrix.index[r]} vs {matrix.columns[c]}: {int(data[r, c])}"
           for r in range(data.shape[0]) for c in range(data.shape[1]) if r != c and data[r, c]]
    alt = (f"Confusion matrix of two codings: {agree} of {total} sentences on the diagonal (same code). "
           + ("Disagreements — " + "; ".join(off) + "." if off else "No disagreements."))
    ax.spines[:].set_visible(False)
    fig.tight_layout()
    return plotting.finish(fig, ax, title=title, xlabel=f"{matrix.columns.name or 'coder B'}'s code",
                           ylabel=f"{matrix.index.name or 'coder A'}'s code", alt_text=alt)
