"""The class-mode notice of a lesson: is class mode on, what is sent, who sees it.

`class_mode()` shows one line of status and the plain notice of what is sent. Outside a hub running the
class service it says "self-study" and touches no network. In class mode, `class_mode(coder=coder)` adds a
button that sends the coding widget's codes to the class coding round (notebook 04).
"""
from __future__ import annotations

import html

import ipywidgets as widgets

from ..classroom import client
from .base import StaticView, static_mode, static_view


def notice_html(state: dict) -> str:
    """The notice as HTML: the status in words (not colour alone), then what is sent and who sees it."""
    if state["on"]:
        head = f"<strong>Class mode is on</strong> (you are {html.escape(state['user'])})."
        body = html.escape(client.WHAT_IS_SENT)
    else:
        head = "<strong>Class mode is off.</strong>"
        body = html.escape(state["reason"])
    border = "#0072B2" if state["on"] else "#767676"
    return (f'<div role="status" style="border-left: 4px solid {border}; padding: 4px 8px; font-size: 14px;">'
            f"{head} {body}</div>")


STATIC_CAPTION = ("In JupyterLab on the class's hub, this shows whether class mode is on and what it sends; "
                  "elsewhere nothing is sent.")


def class_mode(coder=None) -> widgets.VBox | StaticView:
    """The class-mode widget; `coder`: a coding widget whose codes a button sends to the class round.

    In static mode (the reading edition, ESCALATION_STATIC_WIDGETS=1) a static notice, with no network.
    """
    if static_mode():
        return static_view(notice_html({"on": False, "user": "", "reason": client.status()["reason"]}
                                       if not client.configured() else
                                       {"on": False, "user": "", "reason": "Static copy: nothing is sent."}),
                           STATIC_CAPTION)
    state = client.status()
    box = widgets.VBox([widgets.HTML(notice_html(state), description="", layout=widgets.Layout(width="auto"))])
    box.state = state
    box.add_class("escalation-class-mode")
    if state["on"] and coder is not None:
        button = widgets.Button(description="Send my codes to the class round", tooltip="Send my codes",
                                layout=widgets.Layout(width="auto"))
        result = widgets.HTML("")

        def send(_):
            answer = client.send_codes(coder) or {"ok": False, "error": "class mode is off"}
            text = (f"Sent {answer.get('stored', 0)} codes." if answer.get("ok")
                    else f"Not sent: {answer.get('error', 'unknown problem')}.")
            result.value = f'<div role="status">{html.escape(text)}</div>'

        button.on_click(send)
        box.children = (*box.children, button, result)
        box.send_button, box.result = button, result
    return box
