"""The CLI help reads in Click's notation (FILE, PATH, TEXT, INTEGER; flags show no value), never Typer 0.29's
``{file}`` / ``<int>`` / ``<bool>`` placeholders, for the app and every command."""

from __future__ import annotations

import re

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from leadcore.cli import app

COMMANDS = sorted(get_command(app).commands)  # type: ignore[attr-defined]
PLACEHOLDER = re.compile(r"<(bool|int|str|float|path|list\[[a-z]+\])>|\{[a-z_]+\}")


@pytest.mark.parametrize("args", [[], *([c] for c in COMMANDS)], ids=lambda a: " ".join(a) or "app")
def test_help_uses_click_notation(args: list[str]) -> None:
    out = CliRunner().invoke(app, [*args, "--help"], prog_name="python -m leadcore", env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    assert not PLACEHOLDER.search(out.output), out.output


def test_import_csv_help_names_its_argument_and_types() -> None:
    out = CliRunner().invoke(app, ["import-csv", "--help"], env={"COLUMNS": "200"}).output
    assert "[OPTIONS] FILE" in out and re.search(r"--header-row\s+INTEGER", out)
    assert not re.search(r"--dry-run\s+\S*BOOL", out)  # a flag takes no value
