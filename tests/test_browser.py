"""A real browser runs notebook 04 in JupyterLab and plays with the widget.

JupyterLab is started on localhost with a token and a private settings folder; Debian's Chromium, driven
headless by Playwright, opens a copy of notebook 04, runs every cell, moves the crop slider and checks that
the panels change, compares two models, uploads a photo and switches the scale. Screenshots are kept in
``build/browser/`` as the test's artifacts.

Needs ``/usr/bin/chromium`` (``apt-get install chromium``; ``.ci/run`` installs it) and the ``playwright``
package (in requirements.txt). Without Chromium the test is skipped and says why.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

from edsr_helpers import samples

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
NOTEBOOK = "04_inference_widgets.ipynb"
ARTIFACTS = ROOT / "build" / "browser"
TOKEN = "edsr-browser-test"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Chromium: apt-get install chromium"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def jupyterlab(tmp_path):
    """A JupyterLab server on localhost serving a copy of notebook 04; yields its base URL."""
    work = tmp_path / "notebooks"
    work.mkdir()
    shutil.copy(ROOT / "notebooks" / NOTEBOOK, work / NOTEBOOK)
    settings = tmp_path / "settings"
    (settings / "@jupyterlab" / "notebook-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings").write_text(
        json.dumps({"windowingMode": "none"})  # keep every cell in the DOM
    )
    (settings / "@jupyterlab" / "apputils-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    port = _free_port()
    env = {**os.environ, "EDSR_PROFILE": "ci", "EDSR_RUNS_DIR": str(tmp_path / "runs")}
    with open(tmp_path / "jupyterlab.log", "w") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyter",
                "lab",
                "--no-browser",
                f"--port={port}",
                "--ip=127.0.0.1",
                f"--IdentityProvider.token={TOKEN}",
                f"--ServerApp.root_dir={work}",
                f"--LabApp.user_settings_dir={settings}",
                f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
                "--LabApp.expose_app_in_browser=True",
                "--allow-root",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=work,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise RuntimeError((tmp_path / "jupyterlab.log").read_text()[-3000:]) from None
                    time.sleep(0.5)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=30)


#: JavaScript: the notebook's kernel is connected and idle.
KERNEL_IDLE = (
    "() => { const w = window.jupyterapp.shell.currentWidget;"
    " const kernel = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;"
    " return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle'; }"
)
#: JavaScript: every code cell has run (an execution count) and the kernel is idle again.
ALL_EXECUTED = (
    "() => { const w = window.jupyterapp.shell.currentWidget;"
    " const cells = w.content.widgets.filter(c => c.model.type === 'code');"
    " return cells.every(c => c.model.executionCount !== null) && w.sessionContext.session.kernel.status === 'idle'; }"
)


#: JavaScript: a visible caption inside ``root`` names the model and shows its whole-photo scores (side by side).
SIDE_BY_SIDE_SCORED = (
    "([root, name]) => Array.from(root.querySelectorAll('.widget-html-content')).some("
    "n => n.offsetParent !== null && n.innerText.startsWith(name) && n.innerText.includes('whole: PSNR'))"
)
#: JavaScript: a visible caption inside ``root`` contains ``text``.
CAPTION_SHOWS = (
    "([root, text]) => Array.from(root.querySelectorAll('.widget-html-content')).some("
    "n => n.offsetParent !== null && n.innerText.includes(text))"
)
#: JavaScript: at least 4 of the panels inside ``root`` show another image than ``before``.
PANELS_CHANGED = (
    "([root, before]) => { const now = Array.from(root.querySelectorAll("
    "'.widget-image img, img.widget-image')).map(n => n.src);"
    " return now.filter((src, i) => src !== before[i]).length >= 4; }"
)


def _panel_sources(area) -> list[str]:
    return area.locator(".widget-image img, img.widget-image").evaluate_all("nodes => nodes.map(n => n.src)")


def test_notebook_04_widget_in_a_real_browser(jupyterlab):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-sync",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        page = browser.new_page(viewport={"width": 1600, "height": 1200})
        try:
            page.goto(f"{jupyterlab}/lab/tree/{NOTEBOOK}?token={TOKEN}")
            page.wait_for_selector(".jp-Notebook", timeout=90_000)
            page.wait_for_function(KERNEL_IDLE, timeout=120_000)
            page.evaluate("window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
            page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
            page.wait_for_function(ALL_EXECUTED, timeout=600_000)
            page.wait_for_function(
                "document.querySelectorAll('.widget-image img, img.widget-image').length >= 5", timeout=60_000
            )
            assert "Error displaying widget" not in page.content()
            errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
            assert not any("Traceback" in text for text in errors.all_inner_texts())

            def output_of(code):  # the output area of the code cell whose source holds ``code``
                cell = page.locator(".jp-CodeCell").filter(has=page.locator(".jp-InputArea", has_text=code))
                return cell.locator(".jp-OutputArea")

            def dropdown(area, label):
                return (
                    area.locator(".widget-dropdown").filter(has=page.get_by_text(label, exact=True)).locator("select")
                )

            widget, scales = output_of("crop_compare(model"), output_of("shipped_compare(")
            before = _panel_sources(widget)

            slider = widget.locator(".widget-slider").filter(has=page.get_by_text("x", exact=True))
            handle = slider.locator(".noUi-handle, .ui-slider-handle").first
            handle.focus()
            for _ in range(10):
                handle.press("ArrowRight")
            page.wait_for_function(PANELS_CHANGED, arg=[widget.element_handle(), before], timeout=30_000)
            after = _panel_sources(widget)
            changed = sum(1 for old, new in zip(before, after, strict=False) if old != new)
            assert changed >= 4, f"only {changed} panels changed after moving the crop"
            readout = slider.locator(".widget-readout").first
            moved_to = readout.inner_text().strip()
            assert moved_to not in ("", "0")  # x moved

            # click-to-crop on the thumbnail (ipyevents): the crop's x follows the click
            thumbnail = widget.locator(".widget-image").first
            box = thumbnail.bounding_box()
            thumbnail.click(position={"x": box["width"] * 0.6, "y": box["height"] * 0.6})
            page.wait_for_function(
                "([node, old]) => node.textContent.trim() !== old",
                arg=[readout.element_handle(), moved_to],
                timeout=30_000,
            )

            # the comparison: two models side by side, each scored on the crop and on the whole photo
            dropdown(widget, "with").select_option("shipped ×4")
            dropdown(widget, "view").select_option("side by side")
            page.wait_for_function(SIDE_BY_SIDE_SCORED, arg=[widget.element_handle(), "shipped ×4"], timeout=120_000)
            assert not widget.locator(".widget-slider").filter(has=page.get_by_text("split %", exact=True)).is_visible()
            dropdown(widget, "view").select_option("split")
            page.wait_for_function(
                CAPTION_SHOWS, arg=[widget.element_handle(), "shipped ×4 right of it"], timeout=60_000
            )

            # a photo uploaded at x4 ...
            mine = ARTIFACTS / "mine.png"
            Image.fromarray(samples.load_photo("chelsea")).save(mine)
            with page.expect_file_chooser() as chooser:  # ipywidgets keeps its file input out of the page
                scales.get_by_text("upload your own").click()
            chooser.value.set_files(str(mine))
            page.wait_for_function(CAPTION_SHOWS, arg=[scales.element_handle(), "Added mine.png"], timeout=120_000)

            # ... follows to another scale: the same photos shrunk x2, upscaled by the x2 weights
            dropdown(scales, "scale").select_option("×2")
            for text in ("shrunk ×2", "shipped ×2 right of it", "made at ×2: mine.png"):
                page.wait_for_function(CAPTION_SHOWS, arg=[scales.element_handle(), text], timeout=120_000)
            assert dropdown(scales, "photo").input_value() == "mine.png"
            dropdown(scales, "scale").scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "notebook04_scales.png"))
        finally:
            page.screenshot(path=str(ARTIFACTS / "notebook04_widget.png"), full_page=True)
            browser.close()
