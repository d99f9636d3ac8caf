"""Write data/DATA_DICTIONARY.md from data/datapackage.json (the tests fail when it is stale)."""
from escalation.paths import data_path
from escalation.tables import data_dictionary_markdown

if __name__ == "__main__":
    data_path("DATA_DICTIONARY.md").write_text(data_dictionary_markdown(), encoding="utf-8")
    print("wrote", data_path("DATA_DICTIONARY.md"))
