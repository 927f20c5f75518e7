"""Tests for the public names that ``vdp101`` re-exports on first use."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys

import pytest

import vdp101

# Every public module whose names the package re-exports, with the names left out on purpose.
REEXPORTED_MODULES = {
    "vdp101.asynchronous": set(),
    "vdp101.client": {
        "as_image_list",
        "pipeline_url",
        "read_image_files",
        "read_success_body",
        "resolve_gateway",
        "send_request",
    },
    "vdp101.coco": set(),
    "vdp101.curl": set(),
    "vdp101.drawing": set(),
    "vdp101.errors": set(),
    "vdp101.readiness": {"READINESS_PATH", "SERVING_STATUS"},
    "vdp101.responses": set(),
    "vdp101.samples": set(),
    "vdp101.urls": {"API_VERSION_PATH", "gateway_root_url"},
    "vdp101.widgets": {"render_error", "render_summary", "render_table", "visible_rows"},
    "vdp101.folder": {
        "TABLE_COLUMNS",
        "count_categories",
        "export_csv",
        "export_json",
        "filter_detections",
        "find_images",
    },
}

HEAVY_MODULES = ("requests", "PIL", "matplotlib", "fastapi", "uvicorn", "numpy")


def test_all_has_no_duplicates() -> None:
    assert len(vdp101.__all__) == len(set(vdp101.__all__))


@pytest.mark.parametrize("name", vdp101.__all__)
def test_exported_name_resolves(name: str) -> None:
    value = getattr(vdp101, name)

    defining_module = importlib.import_module(vdp101._MODULE_OF_NAME[name])
    assert value is getattr(defining_module, name)
    assert name in defining_module.__all__


@pytest.mark.parametrize("module_name", sorted(REEXPORTED_MODULES))
def test_module_names_are_exported(module_name: str) -> None:
    module = importlib.import_module(module_name)

    missing = set(module.__all__) - REEXPORTED_MODULES[module_name] - set(vdp101.__all__)

    assert missing == set()


def test_unknown_name_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match=r"^module 'vdp101' has no attribute 'trigger'$"):
        vdp101.trigger  # noqa: B018 - the attribute access is the test


def test_dir_lists_exported_names() -> None:
    assert set(vdp101.__all__) <= set(dir(vdp101))


def test_import_loads_no_heavy_modules() -> None:
    script = f"import sys, json, vdp101; print(json.dumps([m for m in {HEAVY_MODULES!r} if m in sys.modules]))"

    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)

    assert json.loads(completed.stdout) == []


def test_star_import_binds_all_names() -> None:
    script = "from vdp101 import *; print(sorted(name for name in dir() if not name.startswith('__')))"

    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)

    assert completed.stdout.strip() == str(sorted(vdp101.__all__))


def test_submodule_list_is_complete() -> None:
    modules = {info.name for info in pkgutil.iter_modules(vdp101.__path__) if not info.name.startswith("_")}

    assert vdp101._SUBMODULES == modules


def test_submodules_load_on_attribute_access() -> None:
    script = (
        "import sys, json, vdp101\n"
        "before = [name for name in ('vdp101.exercises', 'vdp101.gateway') if name in sys.modules]\n"
        "feedback = vdp101.exercises.check('01-1', None)\n"
        "print(json.dumps([before, type(feedback).__name__, vdp101.gateway.LocalGateway.__module__]))"
    )

    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)

    assert json.loads(completed.stdout) == [[], "Feedback", "vdp101.gateway.server"]


def test_dir_lists_submodules() -> None:
    assert {"asynchronous", "exercises", "gateway"} <= set(dir(vdp101))
