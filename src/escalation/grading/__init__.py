"""Exercise sets: student versions from instructor sources, and tamper-resistant parallel grading.

`escalation-exercises` (student.py) writes the student versions; `escalation-grade` (cli.py) grades a
folder of submissions. See exercises/README.md for how students and instructors use them.
"""
