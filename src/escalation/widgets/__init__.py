"""Widget builders for the notebooks.

Widgets are thin: each callback calls a plain function of the package and puts its result on the
widget (`.result`), or a plain-language message (`.message`) when the input cannot be answered. Tests
and notebooks set a control's `.value` and read `.result`/`.message`, exactly as a student's click does.
With ESCALATION_STATIC_WIDGETS=1 in the kernel, every widget displays as a static picture with a caption
(`static_view`, `StaticWhenPrinted`), for the reading edition and PDFs.

The names below are loaded from `.base` on first use, so importing one submodule (`.graded`, which the
grader imports) does not import ipywidgets.
"""
__all__ = ["Explorer", "StaticView", "StaticWhenPrinted", "message_html", "static_caption", "static_mode",
           "static_view"]


def __getattr__(name):
    if name in __all__:
        from . import base

        return getattr(base, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
