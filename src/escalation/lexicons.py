"""Word lists used by the text measures, loaded from `data/lexicons/` so an instructor can edit them."""
from __future__ import annotations

from pathlib import Path

from .tables import load_table


def load_place_names(folder: Path | None = None) -> dict[str, list[str]]:
    """Place names and their spelling variants, as {name: [variants]}."""
    table = load_table("place_names", folder)
    return {row.name: [v.strip() for v in (row.variants or "").split(";") if v.strip()]
            for row in table.itertuples()}
