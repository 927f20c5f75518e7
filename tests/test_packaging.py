"""Checks that the conda environment and pyproject.toml install the same packages."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _name(requirement: str) -> str:
    match = REQUIREMENT_NAME.match(requirement)
    assert match, f"cannot read a package name from {requirement!r}"
    return match.group(1).lower().replace("_", "-")


def _pyproject_packages() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements.extend(extra)
    return {_name(requirement) for requirement in requirements}


def _conda_packages() -> set[str]:
    """Read the conda and pip package names of environment.yml without a YAML parser."""
    names = set()
    in_dependencies = False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if not line.startswith((" ", "#")):
            in_dependencies = line.startswith("dependencies:")
        if not in_dependencies:
            continue
        item = re.match(r"^\s*-\s+(.+)$", line)
        if not item or item.group(1).startswith(("-e", "pip:")) or item.group(1) == "pip":
            continue
        names.add(_name(item.group(1)))
    return names - {"python"}


def test_environment_matches_pyproject():
    assert _conda_packages() == _pyproject_packages()


def test_environment_installs_project_editable():
    lines = [line.strip() for line in (ROOT / "environment.yml").read_text().splitlines()]
    assert "- -e ." in lines


def test_pyproject_packages_include_gateway_stack():
    assert {"fastapi", "uvicorn", "requests", "pillow", "nbval"} <= _pyproject_packages()
