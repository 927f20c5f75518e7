"""The detection explorer in a real JupyterLab, driven by headless Chromium.

The test starts JupyterLab on 127.0.0.1 with a token, opens a copy of notebook 9,
runs all cells, moves the score slider with the keyboard and checks that the drawing
changed. Screenshots go to ``test-artifacts/explorer-browser/`` for a developer to
look at. It uses Debian's Chromium at /usr/bin/chromium (``.ci/install-chromium.sh``
installs it) and skips without it, except when ``CI`` is ``true``, where it fails.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "09-detection-explorer.ipynb"
ARTIFACTS = ROOT / "test-artifacts" / "explorer-browser"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Seconds for JupyterLab to respond to /api/status, and milliseconds for the page steps.
SERVER_START_TIMEOUT = 60
PAGE_TIMEOUT_MS = 30_000
RUN_ALL_TIMEOUT_MS = 60_000


def require_browser() -> None:
    """Skip without Chromium or playwright, or fail when CI=true, where both must be present."""
    problem = None
    if not CHROMIUM.is_file():
        problem = f"{CHROMIUM} is missing; install it with `bash .ci/install-chromium.sh`"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "the playwright package is missing; install it with `pip install -e '.[test]'`"
    if problem is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"The browser test cannot run in CI: {problem}.")
    pytest.skip(f"The browser test needs Chromium and playwright: {problem}.")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class JupyterLab:
    url: str
    token: str
    log_path: Path

    def notebook_url(self, name: str) -> str:
        return f"{self.url}/lab/tree/{name}?token={self.token}"


def wait_until_serving(lab: JupyterLab, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"JupyterLab exited with status {process.returncode}; see {lab.log_path}:\n"
                + lab.log_path.read_text()[-2000:]
            )
        try:
            with urllib.request.urlopen(f"{lab.url}/api/status?token={lab.token}", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.25)
    raise RuntimeError(f"JupyterLab did not respond within {SERVER_START_TIMEOUT} s; see {lab.log_path}.")


@pytest.fixture
def jupyterlab(tmp_path: Path) -> Iterator[JupyterLab]:
    """JupyterLab on 127.0.0.1 serving a folder that contains a copy of notebook 9 without outputs."""
    require_browser()

    root_dir = tmp_path / "root"
    root_dir.mkdir()
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    notebook.metadata.pop("widgets", None)
    nbformat.write(notebook, root_dir / NOTEBOOK.name)

    # Fresh settings keep the test away from the developer's JupyterLab state. The
    # notification settings turn off the news prompt and the update check, which
    # would otherwise cover part of the screenshot.
    settings_dir = tmp_path / "lab-settings"
    notification_settings = settings_dir / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notification_settings.parent.mkdir(parents=True)
    notification_settings.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    environment = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(tmp_path / "jupyter-config"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "jupyter-runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(settings_dir),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "lab-workspaces"),
    )
    # Without a gateway URL, vdp101.connect() in the kernel starts its own local gateway.
    environment.pop("VDP_API_GATEWAY_URL", None)

    port = free_port()
    token = secrets.token_hex(16)
    lab = JupyterLab(url=f"http://127.0.0.1:{port}", token=token, log_path=tmp_path / "jupyterlab.log")
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root_dir}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")

    with lab.log_path.open("w") as log:
        process = subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_serving(lab, process)
            yield lab
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def test_slider_redraws_explorer_in_jupyterlab(jupyterlab: JupyterLab, tmp_path: Path):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    outside_requests: list[str] = []

    def allow_loopback_only(route, request):
        if request.url.startswith(("http://127.0.0.1:", "data:", "blob:")):
            route.continue_()
        else:
            outside_requests.append(request.url)
            route.abort()

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 1800},
        )
        try:
            context.set_default_timeout(PAGE_TIMEOUT_MS)
            context.route("**/*", allow_loopback_only)
            page = context.new_page()
            page.goto(jupyterlab.notebook_url(NOTEBOOK.name))
            page.locator(".jp-Notebook").wait_for()
            # Run All before the kernel is ready opens a kernel selection dialog instead.
            expect(page.get_by_text("Python 3 (ipykernel) | Idle")).to_be_visible(timeout=RUN_ALL_TIMEOUT_MS)

            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.locator("li[data-command='runmenu:run-all']").click()

            summary = page.locator(".vdp101-summary")
            picture = page.locator(".vdp101-picture")
            detection_rows = page.locator(".vdp101-table tbody tr")
            expect(summary).to_have_text(
                "coffee.jpg: 1 of 3 boxes drawn (score >= 0.80)", timeout=RUN_ALL_TIMEOUT_MS
            )
            expect(detection_rows).to_have_count(1)
            picture.scroll_into_view_if_needed()
            source_before = picture.get_attribute("src")
            page.screenshot(path=str(ARTIFACTS / "after-run-all.png"))

            # Each arrow key moves the slider by its step of 0.05.
            page.locator(".vdp101-min-score .noUi-handle").focus()
            page.keyboard.press("ArrowLeft")
            page.keyboard.press("ArrowLeft")

            expect(summary).to_have_text("coffee.jpg: 2 of 3 boxes drawn (score >= 0.70)")
            expect(detection_rows).to_have_count(2)
            expect(detection_rows.nth(1).locator("td").first).to_have_text("spoon")
            expect(picture).not_to_have_attribute("src", source_before or "")
            page.locator(".vdp101-explorer").screenshot(path=str(ARTIFACTS / "explorer-after-slider.png"))
            page.screenshot(path=str(ARTIFACTS / "after-slider.png"))
        finally:
            context.close()

    assert outside_requests == []
