"""Instructor and student HTML pages (report stage), rendered by jinja2 with autoescaping on.

Every value put into a page (a student's id, answer, error text) is escaped by the template engine, so text a
student wrote can never become markup or script in a page the instructor opens.
"""
from __future__ import annotations

import jinja2

STYLE = ("body{font-family:system-ui,sans-serif;max-width:50em;margin:2em auto;padding:0 1em;line-height:1.5}"
         "table{border-collapse:collapse}td,th{border:1px solid #888;padding:.3em .6em;text-align:left;"
         "vertical-align:top}.answer{white-space:pre-wrap;border-left:4px solid #0072B2;padding-left:.8em}"
         "section{border-top:1px solid #ccc;margin-top:1em}img{max-width:100%;height:auto}")

WIDE = "body{max-width:68em}"  # the summary's 1000 px figure at its own size (its text stays over 10 px)
_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
SHELL = _ENV.from_string(
    "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>{{ title }}</title>"
    "<style>{{ style }}</style></head><body><h1>{{ title }}</h1>{{ body }}</body></html>\n")
WRITTEN = _ENV.from_string(
    "<h2>Question and rubric</h2><div class='answer'>{{ q.rubric }}</div>"
    "<details><summary>Model answer (instructor only)</summary><div class='answer'>{{ q.model_answer }}</div>"
    "</details><p>{{ rows|length }} submissions. Enter scores in manual_scores_template.csv, then run "
    "<code>escalation-grade merge</code>. Pairs of near-identical answers worth a human look: "
    "<a href='similar.html'>similar.html</a>.</p>"
    "{% for r in rows %}<section><h2>{{ r.student }}</h2>"
    "{% if r.answer %}<div class='answer'>{{ r.answer }}</div>{% else %}<p><em>Not answered.</em></p>{% endif %}"
    "{% if r.score %}<p>Score: {{ r.score }} / {{ points }} {{ r.comment }}</p>{% endif %}</section>{% endfor %}")

SIMILAR = _ENV.from_string(
    "{{ intro }}{% for n in notes %}<p><em>{{ n }}</em></p>{% endfor %}"
    "<p>Compared: {{ counts }}. Pairs listed: {{ pairs|length }}.</p>"
    "{% if not pairs %}<p>No pair of answers shares that much wording.</p>{% else %}"
    "<p>Highlighted (<mark>marked</mark>) text is wording both answers share; the shared passages are also "
    "listed in words under each pair.</p>{% endif %}"
    "{% for p in pairs %}<section><h2>{{ loop.index }}. {{ p.question }}: {{ p.a }} and {{ p.b }}</h2>"
    "<p>{{ p.shared }} words in shared passages ({{ p.share_a }}% of {{ p.a }}'s own wording, {{ p.share_b }}% of "
    "{{ p.b }}'s).</p><table><caption>The two answers side by side</caption><thead><tr><th scope='col'>{{ p.a }}"
    "</th><th scope='col'>{{ p.b }}</th></tr></thead><tbody><tr><td><div class='answer'>"
    "{% for text, shared in p.parts_a %}{% if shared %}<mark title='shared passage {{ shared }}'>{{ text }}</mark>"
    "{% else %}{{ text }}{% endif %}{% endfor %}</div></td><td><div class='answer'>"
    "{% for text, shared in p.parts_b %}{% if shared %}<mark title='shared passage {{ shared }}'>{{ text }}</mark>"
    "{% else %}{{ text }}{% endif %}{% endfor %}</div></td></tr></tbody></table>"
    "<p>Shared passages, as {{ p.a }} wrote them:</p><ol>{% for t in p.passages %}<li>{{ t }}</li>{% endfor %}"
    "</ol></section>{% endfor %}"
    "{% if commons %}<h2>Wording found in many answers</h2><p>These passages appear in more answers than a pair "
    "comparison can sensibly list (more than a fifth of the answers, or more than {{ common_min }}). A common "
    "source is the likely reason: a handout, notes dictated in class, a web page, or a model answer that reached "
    "students. Worth checking where they come from.</p>{% for c in commons %}<section><h3>{{ c.question }}: "
    "{{ c.count }} answers, {{ c.words }} words</h3><div class='answer'>{{ c.text }}</div><p>In the answers of: "
    "{{ c.names }}.</p></section>{% endfor %}{% endif %}")

FEEDBACK = _ENV.from_string(
    "<p>Status: <strong>{{ status }}</strong></p>"
    "{% if reasons %}<ul>{% for r in reasons %}<li>{{ r }}</li>{% endfor %}</ul>{% endif %}"
    "<table><caption>Points per question</caption><thead><tr><th scope='col'>Question</th>"
    "<th scope='col'>Points</th><th scope='col'>Feedback</th></tr></thead><tbody>"
    "{% for q in rows %}<tr><th scope='row'>{{ q.key }}</th><td>{{ q.points }}</td><td>"
    "{% if not q.written %}{% for m in q.messages %}{% if not loop.first %}<br>{% endif %}{{ m }}{% endfor %}"
    "{% if q.correct %}✔ correct{% endif %}"
    "{% else %}{% if q.answer %}<p>Your answer:</p><div class='answer'>{{ q.answer }}</div>{% else %}"
    "<p>Not answered.</p>{% endif %}<p>Rubric:</p><div class='answer'>{{ q.rubric }}</div>"
    "{% if q.comment %}<p>Comment: {{ q.comment }}</p>{% endif %}"
    "{% if q.pending %}<p><em>Your instructor has not graded this answer yet.</em></p>{% endif %}{% endif %}"
    "</td></tr>{% endfor %}</tbody></table><p>Total so far: <strong>{{ total }}</strong></p>")


SUMMARY = _ENV.from_string(
    "<p>{{ counts }}</p><h2>Scores</h2><figure><img src='summary.png' alt='{{ summary_alt }}'>"
    "<figcaption>Total scores, and the share of students with full points on each question.</figcaption></figure>"
    "<h2>Item analysis</h2><p>For each question: the share of the {{ students }} graded students with full points, "
    "their mean share of its points, and two measures of how well it tells stronger from weaker students "
    "(discrimination): the corrected point-biserial r (the question's score against the total of the other "
    "questions; from -1 to 1) and the upper–lower index (share of points in the top 27 % of students by total "
    "minus that in the bottom 27 %). Values near 0 mean the question does not separate them; negative values mean "
    "students who did better elsewhere did worse here, which is worth checking (the key, the wording).</p>"
    "{% for n in notes %}<p><strong>{{ n }}</strong></p>{% endfor %}"
    "<figure><img src='item_analysis.png' alt='{{ alt }}'><figcaption>Difficulty (share with full points) and "
    "discrimination (corrected point-biserial) of each question; the table below gives the same values."
    "</figcaption></figure>"
    "<table><caption>Item analysis per question</caption><thead><tr><th scope='col'>Question</th>"
    "<th scope='col'>Item type</th><th scope='col'>Points</th><th scope='col'>Full points</th>"
    "<th scope='col'>Mean share of points</th><th scope='col'>Point-biserial r (corrected)</th>"
    "<th scope='col'>Upper–lower 27 %</th><th scope='col'>Notes</th></tr></thead><tbody>"
    "{% for i in items %}<tr><th scope='row'>{{ i.key }}</th><td>{{ i.item }}</td><td>{{ i.points }}</td>"
    "<td>{{ i.share_correct }}</td><td>{{ i.mean_share }}</td><td>{{ i.discrimination }}</td>"
    "<td>{{ i.upper_lower }}</td><td>{{ i.notes|join('; ') }}</td></tr>{% endfor %}</tbody></table>"
    "{% if choices %}<h2>What students chose</h2><p>For each choice, ordering, matching or tick-box question: how "
    "many students chose each option (tick boxes: ticked it; ordering: gave that order; matching: made that "
    "pairing), how many of them had full points, and the feedback aimed at a known mistake that those "
    "without full points got (the misconception the option encodes). Where the question varies per student, the "
    "right option varies too.</p>"
    "{% for c in choices %}<h3>{{ c.key }} ({{ c.item }})</h3><table><caption>{{ c.key }}: answers chosen"
    "</caption><thead><tr><th scope='col'>Answer</th><th scope='col'>Students</th><th scope='col'>Share</th>"
    "<th scope='col'>Of them with full points</th><th scope='col'>Feedback the others got</th></tr></thead><tbody>"
    "{% for o in c.options %}<tr><th scope='row'>{{ o.option }}</th><td>{{ o.students }}</td><td>{{ o.share }}</td>"
    "<td>{{ o.full_points }}</td><td>{% for f in o.feedback %}{% if not loop.first %}<br>{% endif %}{{ f }}"
    "{% endfor %}</td></tr>{% endfor %}</tbody></table>{% endfor %}{% endif %}"
    "<p>The same values: item_analysis.csv, item_options.csv and item_analysis.json.</p>")


def feedback_page(title: str, **context) -> str:
    """A student's feedback page (report.py gives plain data: the template escapes every value)."""
    return page(title, markup(FEEDBACK.render(**context)))


def summary_page(title: str, **context) -> str:
    """The instructor's summary page: the score figure and the item analysis (report.py and analysis.py give
    plain data: the template escapes every value)."""
    return page(title, markup(SUMMARY.render(**context)), style=WIDE)


def similar_page(title: str, **context) -> str:
    """The similar-answers page (similarity.py gives plain data: the template escapes every value)."""
    return page(title, markup(SIMILAR.render(**context)))


def page(title: str, body, style: str = "") -> str:
    """A whole page around `body`: a string is escaped; `markup(...)` or a rendered template is kept as it is."""
    return SHELL.render(title=title, style=jinja2.utils.markupsafe.Markup(STYLE + style), body=body)


def markup(html_text: str):
    """Mark HTML that was built with every value escaped already (it is then not escaped again)."""
    return jinja2.utils.markupsafe.Markup(html_text)


def written_page(title: str, question, rows: list[dict]) -> str:
    """The page of one written question: the rubric, the model answer, and every student's answer and score."""
    body = WRITTEN.render(q=question, rows=rows, points=f"{question.points:g}")
    return page(title, markup(body))
