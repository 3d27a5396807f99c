"""Outreach fixtures: the SMTP server on localhost and the hand-moved clock (tests/smtp_fixtures.py)."""

from smtp_fixtures import clock, smtp_server  # noqa: F401
