"""The arrows import-linter cannot see: ``pages/*.py`` and ``app.py`` are scripts, not a package.

pyproject.toml's ``[tool.importlinter]`` contracts cover ``leadcore`` and ``ui``; these checks cover the rest:
the pages are thin (no SQL, no storage layer) and nothing importable imports a page or the router.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = [*sorted((ROOT / "pages").glob("*.py")), ROOT / "app.py", ROOT / "router.py"]
PACKAGES = sorted((ROOT / "leadcore").rglob("*.py")) + sorted((ROOT / "ui").rglob("*.py"))
# What a page reaches only through leadcore's services and ui.resources' unit of work.
STORAGE = ("sqlalchemy", "psycopg", "alembic", "leadcore.db")


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth of its code (lazy imports inside functions too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_the_scanner_sees_imports_inside_functions(tmp_path: Path) -> None:
    script = tmp_path / "page.py"
    script.write_text("import streamlit as st\n\ndef f():\n    from sqlalchemy import select\n    return select\n")
    assert {"streamlit", "sqlalchemy", "sqlalchemy.select"} <= imported_modules(script)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_pages_and_the_router_never_reach_the_storage_layer(script: Path) -> None:
    bad = sorted(m for m in imported_modules(script) if any(_within(m, s) for s in STORAGE))
    assert bad == [], f"{script.name} imports {bad}: call a leadcore service instead"


def test_nothing_importable_imports_a_page_or_the_router() -> None:
    offenders = {p.relative_to(ROOT).as_posix(): sorted(m for m in imported_modules(p)
                                                         if _within(m, "pages") or _within(m, "app"))
                 for p in PACKAGES}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_every_page_script_is_checked() -> None:
    assert len(SCRIPTS) >= 8 and all(p.exists() for p in SCRIPTS)
