"""Widget builders for the notebooks.

Widgets are thin: each callback calls a plain function of the package and puts its result on the
widget (`.result`), or a plain-language message (`.message`) when the input cannot be answered. Tests
and notebooks set a control's `.value` and read `.result`/`.message`, exactly as a student's click does.
"""
from .base import Explorer, message_html

__all__ = ["Explorer", "message_html"]
