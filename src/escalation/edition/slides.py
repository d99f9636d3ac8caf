"""One self-contained HTML slide deck per lesson, for the projector (stage: report).

Built from the notebook itself (title and objectives from its first cell, its first figure with the
figure's text alternative, the prompts it marks for discussion, the in-class exercise) and from the guide
(its discussion prompts and its ground rules), so a deck never drifts from its sources. No CDN: the CSS and
the few lines of keyboard script are inline, the figure is embedded. Keys: → ↓ Space PageDown next, ← ↑
PageUp previous, Home first, End last. Every slide fits the screen: the script shrinks a slide's type
(down to 16 px) until nothing spills; a slide never points "above" or "below" (there is no page around it).
"""
from __future__ import annotations

import html
import re

from . import content
from .printing import md

CSS = """
html, body { margin: 0; height: 100%; background: #fff; color: #111;
  font-family: "DejaVu Sans", Verdana, sans-serif; }
.slide { display: none; box-sizing: border-box; width: 100vw; height: 100vh; padding: 4vh 6vw 8vh;
  overflow: hidden; font-size: clamp(22px, min(2.7vw, 4.6vh), 40px); line-height: 1.35; }
.slide.active { display: block; }
.slide h1 { font-size: 1.9em; margin: 0 0 .4em; color: #0b3c5d; }
.slide h2 { font-size: 1.4em; margin: 0 0 .5em; color: #0b3c5d; border-bottom: 4px solid #E69F00; }
.slide h3, .slide h4 { font-size: 1.1em; margin: .3em 0; }
.slide img { display: block; max-width: 100%; max-height: 58vh; margin: 0 auto; border: 1px solid #ccc; }
.slide figure { margin: 0; }
.slide ol.rules li { margin-bottom: .25em; }
.slide .caption { font-size: .62em; color: #222; margin-top: .5em; }
.slide .small { font-size: .7em; }
.slide table { font-size: .6em; border-collapse: collapse; } .slide td, .slide th { border: 1px solid #999; padding: 2px 6px; }
.slide code { background: #f1f1f1; padding: 0 .2em; }
.footer { position: fixed; bottom: 1.5vh; left: 6vw; right: 6vw; font-size: 16px; color: #333; background: #fff;
  display: flex; justify-content: space-between; }
:focus-visible { outline: 4px solid #0072B2; }
@media print { .slide { display: block; page-break-after: always; height: auto; } .footer { display: none; } }
"""

JS = """
(function () {
  var slides = Array.prototype.slice.call(document.querySelectorAll('.slide'));
  var counter = document.getElementById('counter');
  var i = Math.max(0, Math.min(slides.length - 1, parseInt((location.hash || '#1').slice(1), 10) - 1 || 0));
  var footer = document.querySelector('.footer');
  function spills(s) {
    var limit = footer.getBoundingClientRect().top;
    return s.scrollHeight > s.clientHeight + 1 || s.scrollWidth > s.clientWidth + 1 ||
      Array.prototype.some.call(s.querySelectorAll('*'), function (e) {
        var r = e.getBoundingClientRect(); return r.height > 0 && (r.bottom > limit || r.right > innerWidth);
      });
  }
  function fit(s) {
    s.style.fontSize = '';
    var img = s.querySelector('img'), height = 58;
    if (img) img.style.maxHeight = '';
    var size = parseFloat(getComputedStyle(s).fontSize);
    while (spills(s) && img && height > 40) { height -= 3; img.style.maxHeight = height + 'vh'; }
    while (spills(s) && size > 16) { size = Math.max(16, size * 0.92); s.style.fontSize = size + 'px'; }
    while (spills(s) && img && height > 15) { height -= 3; img.style.maxHeight = height + 'vh'; }
  }
  function show(n) {
    i = Math.max(0, Math.min(slides.length - 1, n));
    slides.forEach(function (s, k) { s.classList.toggle('active', k === i); s.setAttribute('aria-hidden', k === i ? 'false' : 'true'); });
    fit(slides[i]);
    counter.textContent = 'Slide ' + (i + 1) + ' of ' + slides.length;
    history.replaceState(null, '', '#' + (i + 1));
    slides[i].focus();
  }
  document.addEventListener('keydown', function (e) {
    var next = ['ArrowRight', 'ArrowDown', 'PageDown', ' ', 'Enter'];
    var prev = ['ArrowLeft', 'ArrowUp', 'PageUp', 'Backspace'];
    if (next.indexOf(e.key) >= 0) { show(i + 1); e.preventDefault(); }
    else if (prev.indexOf(e.key) >= 0) { show(i - 1); e.preventDefault(); }
    else if (e.key === 'Home') { show(0); e.preventDefault(); }
    else if (e.key === 'End') { show(slides.length - 1); e.preventDefault(); }
  });
  document.addEventListener('click', function (e) { if (!e.target.closest('a')) show(i + 1); });
  window.addEventListener('resize', function () { fit(slides[i]); });
  show(i);
})();
"""


# "above"/"below" point at a page around the slide, which a projected slide does not have.
_WHERE = [(re.compile(p, re.I), r) for p, r in (
    (r"\((?:or )?the full map above\)", "(or the full map in the notebook)"),
    (r"\b(the|a|this)\s+((?:[\w`'’-]+\s+){0,3}?[\w`'’-]+)\s+(?:above|below)\b", r"\1 \2 in the notebook"),
    (r"\(([^()]*?)\s+(?:above|below)\)", r"(\1, in the notebook)"),
    (r"\s+(?:above|below)(?=[,.:;)])", " in the notebook"),
)]


def no_above_below(text: str) -> str:
    """Slide text that names where a thing is in the notebook instead of "above" or "below" it."""
    for pattern, replacement in _WHERE:
        text = pattern.sub(replacement, text)
    return text


def short_caption(alt: str, limit: int = 280) -> str:
    """A projected caption: the figure's text alternative, or its first sentence when it is long (the image
    keeps the whole text alternative for screen readers)."""
    if len(alt) <= limit:
        return alt
    first = re.split(r"(?<=[.!?])\s", alt, maxsplit=1)[0]
    first = first if len(first) <= limit else first[:limit].rsplit(" ", 1)[0] + " …"
    return first + " (The full description is in the notebook.)"


def ground_rules_slide(rules: list[str]) -> str:
    """The guide's ground rules, on one slide (for the first session, and to keep visible)."""
    items = "".join(f"<li>{md(r).strip().removeprefix('<p>').removesuffix('</p>')}</li>" for r in rules)
    return _slide(f'<h2>Ground rules for discussing a war that is going on</h2><ol class="rules">{items}</ol>'
                  "<p class=\"small\">From the instructor's guide, §3.</p>", "Ground rules")


def _slide(inner: str, label: str) -> str:
    return f'<section class="slide" tabindex="-1" aria-label="{html.escape(label)}">{inner}</section>'


def deck_html(lesson: content.Lesson, nb, *, citation: str) -> str:
    """The HTML of one lesson's deck."""
    slides = []
    intro = f"<h1>{html.escape(lesson.title)}</h1>"
    if lesson.summary:
        intro += f"<p>{html.escape(lesson.summary)}</p>"
    if lesson.minutes:
        intro += f'<p class="small">Estimated time: {html.escape(lesson.minutes)}</p>'
    slides.append(_slide(intro, "Title"))
    rules = content.ground_rules()
    if rules:
        slides.append(ground_rules_slide(rules))
    if lesson.objectives:
        items = "".join(f"<li>{md(o).strip().removeprefix('<p>').removesuffix('</p>')}</li>"
                        for o in lesson.objectives)
        slides.append(_slide(f"<h2>By the end you will be able to</h2><ol>{items}</ol>", "Objectives"))
    figure = content.first_figure(nb)
    if figure:
        png, alt = figure
        slides.append(_slide(
            f'<h2>Key figure</h2><figure><img class="key-figure" alt="{html.escape(alt or "Key figure")}" '
            f'src="data:image/png;base64,{png}"><figcaption class="caption">{html.escape(short_caption(alt))}'
            "</figcaption></figure>", "Key figure"))
    prompts = [(p, "from the notebook") for p in content.discussion_prompts(nb)]
    prompts += [(p, "from the instructor's guide") for p in content.guide_prompts(lesson.number)]
    for n, (prompt, origin) in enumerate(prompts, 1):
        slides.append(_slide(f"<h2>Discuss ({n})</h2>{md(no_above_below(prompt))}<p class=\"small\">Prompt {origin}.</p>",
                             f"Discussion prompt {n}"))
    exercise = content.in_class_exercise(nb)
    if exercise:
        slides.append(_slide(f"<h2>In class: exercise</h2>{md(no_above_below(exercise))}"
                             f'<p class="small">Work in notebook {lesson.number}; the check cell gives feedback.</p>',
                             "In-class exercise"))
    slides.append(_slide(f'<h2>Cite this</h2><p class="small">{html.escape(citation)}</p>', "Cite this"))
    body = "\n".join(slides)
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(lesson.title)} (slides)</title><style>{CSS}</style></head><body>"
            f'{body}<div class="footer" aria-live="polite"><span>{html.escape(lesson.title)}</span>'
            '<span>← → to move</span><span id="counter"></span></div>'
            f"<script>{JS}</script></body></html>")
