"""Serving the module to a class on a JupyterHub: links that hand it out (link.py) and the students'
JupyterLab settings the package installs (student_lab.py).

The students' copy is made by `escalation-release` (escalation.release); collecting and grading the class is
`escalation-grade collect` (escalation.grading.collect); deployment recipes live in tools/hub/ and the
walk-through in docs/serving_a_class.md. The local test hub is a test helper: tests/support/local_hub.py.
"""
