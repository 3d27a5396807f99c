"""The three dependency lists agree: requirements*.txt (exact pins), their locks (the whole transitive set) and
pyproject.toml (the ranges a package installer sees); the ``leadcore`` console script is ``python -m leadcore``."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
RELOCK = "regenerate the locks: see the README, 'Dependencies'"


def pins(path: Path) -> dict[str, str]:
    """name -> version of every ``name==version`` line in a requirements file (``-r`` includes followed)."""
    found: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("-r "):
            found.update(pins(path.parent / line[3:].strip()))
        elif line:
            req = Requirement(line)
            (spec,) = req.specifier
            assert spec.operator == "==", f"{path.name}: {line!r} is not pinned with =="
            found[canonicalize_name(req.name)] = spec.version
    return found


def locked(path: Path) -> dict[str, set[str]]:
    """name -> the versions a lock file allows (a universal lock may list one per Python version or platform)."""
    found: dict[str, set[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"([A-Za-z0-9._-]+)==([^\s;]+)", line)
        if m:
            found.setdefault(canonicalize_name(m[1]), set()).add(m[2])
    return found


@pytest.mark.parametrize("requirements, lock", [("requirements.txt", "requirements.lock"),
                                                ("requirements-dev.txt", "requirements-dev.lock")])
def test_every_pin_is_in_its_lock_at_the_same_version(requirements: str, lock: str) -> None:
    wanted, have = pins(ROOT / requirements), locked(ROOT / lock)
    missing = {name: version for name, version in wanted.items() if version not in have.get(name, set())}
    assert missing == {}, f"{lock} does not pin {missing}: {RELOCK}"


def test_the_dev_lock_holds_the_runtime_lock() -> None:
    runtime, dev = locked(ROOT / "requirements.lock"), locked(ROOT / "requirements-dev.lock")
    differ = {name: (versions, dev.get(name)) for name, versions in runtime.items()
              if not versions <= dev.get(name, set())}
    assert differ == {}, f"the runtime and dev locks disagree: {RELOCK}"


def _declared() -> list[Requirement]:
    project = PYPROJECT["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    reqs += [Requirement(r) for extra in project["optional-dependencies"].values() for r in extra]
    return [r for r in reqs if canonicalize_name(r.name) != "leadcore"]


def test_pyproject_ranges_admit_the_pins_and_name_every_pinned_package() -> None:
    wanted = pins(ROOT / "requirements-dev.txt")
    declared = {canonicalize_name(r.name): r for r in _declared()}
    assert sorted(set(wanted) - set(declared)) == [], "pinned in requirements*.txt but not declared in pyproject.toml"
    refused = {name: (wanted[name], str(r.specifier)) for name, r in declared.items()
               if name in wanted and wanted[name] not in r.specifier}
    assert refused == {}, "pyproject.toml ranges refuse the pinned versions"
    assert sorted(set(declared) - set(wanted)) == [], "declared in pyproject.toml but pinned nowhere"


def test_the_extras_split_the_optional_parts() -> None:
    extras = {name: {canonicalize_name(Requirement(r).name) for r in reqs}
              for name, reqs in PYPROJECT["project"]["optional-dependencies"].items()}
    core = {canonicalize_name(Requirement(r).name) for r in PYPROJECT["project"]["dependencies"]}
    assert {"fastapi", "uvicorn"} <= extras["api"] and "authlib" in extras["sso"] and "streamlit" in extras["ui"]
    assert core.isdisjoint({"fastapi", "uvicorn", "authlib", "streamlit", "python-multipart"})


def test_the_console_script_is_python_m_leadcore() -> None:
    target = PYPROJECT["project"]["scripts"]["leadcore"]
    module, attr = target.split(":")
    code = f"import sys, {module} as m; sys.argv = ['leadcore', '--help']; getattr(m, {attr!r})()"
    script = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    as_module = subprocess.run([sys.executable, "-m", "leadcore", "--help"], cwd=ROOT, capture_output=True, text=True,
                               timeout=120)
    assert script.returncode == as_module.returncode == 0, script.stderr + as_module.stderr
    commands = set(re.findall(r"│ ([a-z][a-z-]+) ", as_module.stdout))
    assert {"migrate", "import-csv", "discover", "backup"} <= commands
    assert commands == set(re.findall(r"│ ([a-z][a-z-]+) ", script.stdout))
