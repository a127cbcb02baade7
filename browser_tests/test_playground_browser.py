"""A real-browser test: JupyterLab on localhost, the Day 1.7 playground notebook run in
headless Chromium (Debian's chromium driven by Playwright's library; no browser download),
a widget control moved, and the plot checked to have changed.

Run with `make test-browser`; the screenshots land in build/browser/.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "day1/07_playground.ipynb"
ARTIFACTS = ROOT / "build" / "browser"
TOKEN = "course-browser-test"


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving a copy of notebooks/ (so the test never writes into the course)."""
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    port = free_port()
    env = dict(os.environ, COURSE_PROFILE="smoke", COURSE_OFFLINE="1")
    env.pop("MPLBACKEND", None)
    log = open(root / "lab.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         f"--ServerApp.token={TOKEN}", "--ServerApp.password=", "--allow-root",
         f"--ServerApp.root_dir={root / 'notebooks'}", "--LabApp.news_url=", "--ServerApp.disable_check_xsrf=True"],
        stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("JupyterLab did not start in 90 s: " + (root / "lab.log").read_text()[-2000:])
    if proc.poll() is not None:
        pytest.fail("JupyterLab exited: " + (root / "lab.log").read_text()[-2000:])
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def test_playground_runs_and_reacts_in_a_real_browser(lab):
    browser_path = chromium_path()
    if browser_path is None:
        pytest.skip("no Chromium: `sudo apt-get install chromium` (Debian) or set CHROMIUM=/path/to/chrome")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -r requirements-browser.txt")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_path, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        page.set_default_timeout(120_000)
        page.goto(f"{lab}/lab/tree/{NOTEBOOK}?token={TOKEN}&reset")
        page.wait_for_selector(".jp-Notebook .jp-Cell", state="visible")
        # the kernel must be ready before "Run All" (the status shows Idle)
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)

        page.click(".jp-Notebook")  # focus the notebook so the Run menu applies to it
        page.click("li.lm-MenuBar-item:has-text('Run')")
        page.click("li.lm-Menu-item:has-text('Run All Cells')")

        # the playground widget: its data-set toggle buttons and an image in its output area
        toggle = page.locator(".widget-toggle-buttons").first
        toggle.wait_for(state="visible", timeout=240_000)
        widget = page.locator(".widget-hbox:has(.widget-toggle-buttons)").first
        picture = widget.locator(".widget-output img").first
        picture.wait_for(state="visible", timeout=120_000)
        widget.scroll_into_view_if_needed()
        # wait until Run All has finished: every shown prompt has its count (collapsed solutions show none)
        try:
            page.wait_for_function(
                "() => { const p = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];"
                " return p.length > 0 && p.every(e => e.textContent === '' || /\\[\\d+\\]/.test(e.textContent)); }", timeout=420_000)
        except sync_api.TimeoutError:
            page.screenshot(path=str(ARTIFACTS / "timeout.png"), full_page=True)
            prompts = page.eval_on_selector_all(".jp-CodeCell .jp-InputPrompt", "ps => ps.map(p => p.textContent)")
            pytest.fail(f"Run All did not finish; prompts: {prompts}")
        before = picture.get_attribute("src")
        widget.screenshot(path=str(ARTIFACTS / "playground_before.png"))

        # move a control: switch to a data set that is not selected now
        active = widget.locator(".widget-toggle-buttons button.mod-active").first.inner_text().strip()
        target = "gauss" if active != "gauss" else "circle"
        widget.locator(f".widget-toggle-buttons button:has-text('{target}')").first.click()
        # clear_output + display put a new <img> in the output area: look it up afresh each time
        page.wait_for_function(
            "([root, old]) => { const i = root.querySelector('.widget-output img');"
            " return i !== null && i.getAttribute('src') !== old; }",
            arg=[widget.element_handle(), before], timeout=120_000)
        after = widget.locator(".widget-output img").first.get_attribute("src")
        status = widget.locator(".widget-html-content").last
        status_before = status.inner_text()

        # and press Train: the status line reports the new epochs
        widget.locator("button:has-text('Train')").first.click()
        page.wait_for_function("([el, old]) => el.innerText !== old && /epoch [1-9]/.test(el.innerText)",
                               arg=[status.element_handle(), status_before], timeout=120_000)
        status_after = status.inner_text()
        page.wait_for_function(
            "([root, old]) => { const i = root.querySelector('.widget-output img');"
            " return i !== null && i.getAttribute('src') !== old; }",
            arg=[widget.element_handle(), after], timeout=120_000)
        widget.screenshot(path=str(ARTIFACTS / "playground_after.png"))
        page.screenshot(path=str(ARTIFACTS / "lab.png"))

        errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
                              ":has-text('Traceback')").count()
        browser.close()

    assert before and before.startswith("data:image/png") and after and after != before
    assert "epoch 0" in status_before and status_after != status_before and "epoch" in status_after
    assert errors == 0, "a cell raised in the browser run"


MATH_NOTEBOOK = "day1/03_backpropagation.ipynb"


def test_rise_presents_a_notebook_with_math_offline(lab):
    """RISE for JupyterLab shows a notebook as reveal.js slides with its formulas typeset,
    while every request that does not go to the local server is refused (no CDN)."""
    browser_path = chromium_path()
    if browser_path is None:
        pytest.skip("no Chromium: `sudo apt-get install chromium` (Debian) or set CHROMIUM=/path/to/chrome")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -r requirements-browser.txt")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    refused = []

    def offline(route):
        url = route.request.url
        if url.startswith(lab) or url.startswith("data:") or url.startswith("blob:"):
            route.continue_()
        else:
            refused.append(url)
            route.abort()

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_path, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.set_default_timeout(120_000)
        page.route("**/*", offline)
        page.goto(f"{lab}/rise/{MATH_NOTEBOOK}?token={TOKEN}")
        page.wait_for_selector(".reveal .slides section", state="attached")
        slides = page.locator(".reveal .slides section").count()
        # MathJax 3 (bundled with JupyterLab, served locally) typesets into <mjx-container>
        try:
            page.wait_for_selector(".reveal mjx-container", state="attached", timeout=120_000)
        except sync_api.TimeoutError:
            page.screenshot(path=str(ARTIFACTS / "rise_timeout.png"))
            pytest.fail(f"no typeset formula in the RISE slides; refused requests: {refused[:10]}")
        formulas = page.locator(".reveal mjx-container").count()
        # step through the deck with the keyboard, as a presenter does, to the first slide with a formula
        page.locator(".reveal").click()
        shown = 0
        for _ in range(40):
            page.keyboard.press("ArrowRight")
            page.wait_for_timeout(300)
            shown = page.locator(".reveal .slides section.present mjx-container").count()
            if shown:
                break
        page.screenshot(path=str(ARTIFACTS / "rise_math_slide.png"))
        browser.close()

    assert slides >= 5, f"only {slides} slides"
    assert formulas >= 5, f"only {formulas} typeset formulas"
    assert shown, "no slide with a typeset formula came up while stepping through the deck"
    assert not [u for u in refused if "mathjax" in u.lower()], f"MathJax was requested from the network: {refused}"
