"""Spreadsheet-safe CSV cells (report stage), following OWASP's advice against CSV injection."""
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Return the value a spreadsheet shows as text: a string starting with a formula character gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
