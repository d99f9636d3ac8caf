"""Serving the module to a class on a JupyterHub: links that hand it out (link.py).

Collecting and grading the class is `escalation-grade collect` (escalation.grading.collect); deployment
recipes live in tools/hub/ and the walk-through in docs/serving_a_class.md.
"""
