"""The Import page's AppTest steps, shared by its test modules: open the page as someone, upload a file."""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest


def open_import(at: AppTest, rep: Any) -> AppTest:
    """``at`` (signed in as ``rep``) on the Import page, with ``at.actor`` set to ``rep``."""
    at.run()
    at.switch_page("pages/import.py").run()
    assert not at.exception
    at.actor = rep  # type: ignore[attr-defined]
    return at


def upload(at: AppTest, data: bytes, name: str) -> AppTest:
    """Upload ``data`` as a CSV named ``name`` and rerun."""
    at.file_uploader[0].upload(name, data, "text/csv")
    at.run()
    assert not at.exception
    return at
