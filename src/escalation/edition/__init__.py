"""The reading edition and the teacher's pack (stage: report).

`escalation-edition --out DIR` builds, without network:

- DIR/            the students' edition: a static website (Sphinx + MyST-NB, sphinx-book-theme) with every
                  notebook (executed copies, widgets as static pictures), the data catalogue, the instructor
                  guide and the teacher's pack, "Cite this" and data downloads on every page;
- DIR/pdf/        one print-ready PDF per lesson and per graded set (Chromium), checked to open;
- DIR/slides/     one self-contained HTML slide deck per lesson;
- DIR/teacher/    the instructor-only build: answer keys and the sealed lateral-reading sheet (never linked
                  from the students' pages).

Modules: `content` reads the notebooks, `cite` the version and citation, `execute` runs copies of the
notebooks, `site` writes and builds the Sphinx projects, `printing` the PDFs, `slides` the decks, `pack`
the role cards and answer keys, `cli` the command.
"""
