"""The module's own mix of sources: how many rows of each table rest on each kind of source.

Every sourced table has a `source_type` column (primary record, wire or agency, newspaper of record, state
media, partisan or advocacy outlet, aggregator or re-host, research institute; defined in
data/DATA_DICTIONARY.md). `source_type_counts` counts them, in the dictionary's order, for a lesson to show
and weigh.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .errors import DataError
from .tables import load_table, resource

SOURCED_TABLES = ("events", "statements", "argument_map", "readings", "aid", "weapons")


def source_types(folder: Path | None = None) -> list[str]:
    """The kinds of source the data dictionary allows, in its order."""
    field = next(f for f in resource("events", folder)["schema"]["fields"] if f["name"] == "source_type")
    return list(field["constraints"]["enum"])


def source_type_counts(tables: tuple[str, ...] = ("events", "statements"), folder: Path | None = None) -> pd.DataFrame:
    """Rows per kind of source (index) and table (columns), with a 'total' column and a 'all kinds' row.

    Rows with no source_type (discussion questions in the argument map) are counted as 'no source'.
    """
    kinds = source_types(folder)
    columns = {}
    for name in tables:
        if name not in SOURCED_TABLES:
            raise DataError(f"The table '{name}' has no source_type column; choose from: {', '.join(SOURCED_TABLES)}.")
        values = load_table(name, folder)["source_type"].replace("", "no source")
        columns[name] = values.value_counts()
    order = kinds + (["no source"] if any("no source" in c.index for c in columns.values()) else [])
    counts = pd.DataFrame(columns).reindex(order).fillna(0).astype(int)
    counts["total"] = counts.sum(axis=1)
    counts.loc["all kinds"] = counts.sum()
    counts.index.name = "source type"
    return counts
