"""Entry point for ``python -m leadcore``."""

from leadcore.cli import app

app(prog_name="python -m leadcore")
