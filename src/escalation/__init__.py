"""Shared code of the teaching module on escalation debates."""
