"""Write data/DATA_DICTIONARY.md and data/README.md from data/datapackage.json (the tests fail when stale)."""
from escalation.paths import data_path
from escalation.tables import catalogue_markdown, data_dictionary_markdown

if __name__ == "__main__":
    for name, render in (("DATA_DICTIONARY.md", data_dictionary_markdown), ("README.md", catalogue_markdown)):
        data_path(name).write_text(render(), encoding="utf-8")
        print("wrote", data_path(name))
