"""Widget builders for the notebooks.

Widgets are thin: each callback calls a plain function of the package and puts its result on the
widget (`.result`), or a plain-language message (`.message`) when the input cannot be answered. Tests
and notebooks set a control's `.value` and read `.result`/`.message`, exactly as a student's click does.
With ESCALATION_STATIC_WIDGETS=1 in the kernel, every widget displays as a static picture with a caption
(`static_view`, `StaticWhenPrinted`), for the reading edition and PDFs.
"""
from .base import Explorer, StaticView, StaticWhenPrinted, message_html, static_caption, static_mode, static_view

__all__ = ["Explorer", "StaticView", "StaticWhenPrinted", "message_html", "static_caption", "static_mode",
           "static_view"]
