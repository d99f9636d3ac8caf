"""`python -m escalation.grading ...` is `escalation-grade ...`."""
import sys

from .cli import main

sys.exit(main())
