"""Errors with messages meant for students and instructors, not for developers.

Every error the package raises on bad input or bad data is one of these (or a ValueError), and its
message says what is wrong and what to do about it. Widgets catch them and show the message.
"""


class EscalationError(ValueError):
    """Base class: a problem the user can fix, explained in plain words."""


class DataError(EscalationError):
    """A data file is missing, unreadable or does not follow its data dictionary."""


class QueryError(EscalationError):
    """A search or filter query that cannot be answered as typed."""
