"""A person's test: JupyterLab on 127.0.0.1, driven through the system Chromium as an economist would.

The brief is opened, saved untouched (the file must not change), its parameters typed in and run
with Run → Run All Cells on the default run of the bundled public data (Hà Nam, as an economist
would open it); the explorer's scenario and rate are changed once. Screenshots are saved
as test artefacts (``test-artefacts/jupyterlab/``, or ``$FORECAST_TEST_ARTEFACTS``). Every
committed notebook is also read and written back through the server's contents API: ``git
status`` must stay clean. Needs ``jupyterlab`` (a dependency), and for the browser part the
``playwright`` package with Debian's ``chromium`` (never ``playwright install``).
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
import uuid
from pathlib import Path

import pytest

from forecast import config

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTEFACTS = (
    Path(os.environ.get("FORECAST_TEST_ARTEFACTS") or config.PROJ_ROOT / "test-artefacts") / "jupyterlab"
)
TOKEN = uuid.uuid4().hex
#: User settings of the test's JupyterLab: no autosave (nothing is written unless asked), no news.
SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _lab_env(folder: Path) -> dict:
    settings = folder / "settings"
    for name, value in SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(value), encoding="utf-8")
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(settings)}
    env |= {"JUPYTER_CONFIG_DIR": str(folder / "config"), "JUPYTER_RUNTIME_DIR": str(folder / "runtime")}
    return env


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving the checkout on 127.0.0.1; yields its base URL (token in ``TOKEN``)."""
    pytest.importorskip("jupyterlab")
    port, folder = _free_port(), tmp_path_factory.mktemp("lab")
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}"]
    cmd += [f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={config.PROJ_ROOT}"]
    cmd += ["--LabApp.news_url=", "--allow-root"]
    log = open(folder / "lab.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(cmd, env=_lab_env(folder), stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2)
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail((folder / "lab.log").read_text())
                time.sleep(0.5)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:  # a server slow to shut its kernels down under load
            server.kill()
            server.wait(30)
        log.close()


def _api(base: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"{base}/api/contents/{path}?token={TOKEN}",
        data=None if body is None else json.dumps(body).encode(),
        method="GET" if body is None else "PUT",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as r:
        return json.loads(r.read())


def _git_status(*paths: str) -> str:
    out = subprocess.run(
        ["git", "status", "--porcelain", "--", *paths], cwd=config.PROJ_ROOT, capture_output=True, text=True
    )
    if out.returncode:
        pytest.skip("not a git checkout")
    return out.stdout


def test_opening_and_saving_every_notebook_leaves_git_clean(lab):
    paths = sorted(f"notebooks/{p.name}" for p in config.NOTEBOOKS_DIR.glob("*.ipynb"))
    if _git_status(*paths):
        pytest.skip(f"notebooks already modified: {_git_status(*paths)}")
    # saving through the server makes checkpoints beside the notebooks: remove the ones made here
    checkpoints = config.NOTEBOOKS_DIR / ".ipynb_checkpoints"
    kept = set(checkpoints.iterdir()) if checkpoints.is_dir() else None
    try:
        for path in paths:
            before = (config.PROJ_ROOT / path).read_bytes()
            model = _api(lab, path)
            _api(lab, path, {"type": "notebook", "format": "json", "content": model["content"]})
            assert (config.PROJ_ROOT / path).read_bytes() == before, path
        assert _git_status(*paths) == ""
    finally:
        if kept is None:
            shutil.rmtree(checkpoints, ignore_errors=True)
        else:
            for made in set(checkpoints.iterdir()) - kept:
                made.unlink()


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (dev extra)")
    if not Path(CHROMIUM).exists():
        pytest.skip("no chromium: `apt-get install -y chromium` (make test does it when root)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def copies():
    """The notebooks copied into a git-ignored folder the server shows (``reports/``), removed after."""
    folder = config.PROJ_ROOT / "reports" / f"lab-test-{uuid.uuid4().hex[:8]}"
    shutil.copytree(config.NOTEBOOKS_DIR, folder)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _open(browser, lab: str, path: Path, height: int = 900):
    context = browser.new_context(viewport={"width": 1440, "height": height})
    page = context.new_page()
    rel = path.relative_to(config.PROJ_ROOT).as_posix()
    page.goto(f"{lab}/lab/tree/{rel}?token={TOKEN}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
    _wait_idle(page)
    return context, page


def _wait_idle(page) -> None:
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=600_000)
    time.sleep(1)


def _set_parameters(page, text: str) -> None:
    """Type ``text`` over the parameters cell (the second cell), as a person would."""
    page.locator(".jp-Notebook .jp-Cell").nth(1).locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.type(text)
    page.keyboard.press("Escape")


def _run_all(page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").click()
    page.locator(".lm-Menu-itemLabel").get_by_text("Run All Cells", exact=True).click()
    time.sleep(2)
    _wait_idle(page)


def _errors(page) -> list[str]:
    return page.locator(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
    ).all_inner_texts()


def _shot(page, name: str) -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / name
    page.screenshot(path=str(path))
    return path


@pytest.fixture(scope="module")
def real_run(default_run) -> dict[str, str]:
    """The default run of the bundled public data: its id and this worker's copy of its store."""
    run, _, store = default_run
    return {"run_id": run.run_id, "store": str(store)}


def test_the_brief_opens_saves_clean_and_runs_with_new_parameters(browser, lab, copies, real_run):
    notebook = copies / "province_brief.ipynb"
    before = notebook.read_bytes()
    context, page = _open(browser, lab, notebook, height=1600)  # the scorecard and a chart in one shot
    tab = page.locator(".lm-TabBar-tab.jp-mod-current")
    # JupyterLab may flag the tab modified while a slow kernel starts (it writes the kernel's
    # language_info into the model, unchanged): what counts is that saving writes the same bytes
    tab.first.wait_for(state="attached")
    page.keyboard.press("Control+s")
    time.sleep(2)
    assert notebook.read_bytes() == before
    params = ['province: str = "ha nam"', 'quarter: str = "2026Q4"', 'lang: str = "vi"']
    params += [f'run_id: str = "{real_run["run_id"]}"', f'store: str = "{real_run["store"]}"']
    params += ['targets: str = ""  # the registry: data/targets.csv']
    _set_parameters(page, "\n".join(params))
    _run_all(page)
    assert _errors(page) == []
    page.locator("table.scorecard").first.scroll_into_view_if_needed()
    _shot(page, "brief-scorecard.png")
    # names and verdicts read from the left, numbers line up on the right, as on the published page
    align = "els => els.map(e => getComputedStyle(e).textAlign)"
    row = page.locator("table.scorecard tbody tr").first
    assert row.locator("td").evaluate_all(align) == ["left", *["right"] * 5, "left", "right", "left"]
    # the real scorecard is wider than the output: its columns keep the page's widths (P ≥ 6rem, the
    # verdict ≥ 9rem; they shrank to their longest word) and the table scrolls inside its output
    px = "e => e.getBoundingClientRect().width"
    rem = page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert row.locator("td").nth(5).evaluate(px) >= 6 * rem - 1
    assert row.locator("td").nth(6).evaluate(px) >= 9 * rem - 1
    table = page.locator("table.scorecard").first
    assert table.evaluate("e => getComputedStyle(e).overflowX") == "auto"
    output = page.locator(".jp-OutputArea-output", has=table).first
    assert table.evaluate(px) <= output.evaluate(px) + 1  # the table scrolls, not the notebook
    image = page.locator(".jp-OutputArea-output img.figure").first
    image.scroll_into_view_if_needed()
    assert image.evaluate("e => e.complete && e.naturalWidth > 300")
    legend = page.locator(".jp-OutputArea-output .chart-legend").first  # written under the chart
    legend.scroll_into_view_if_needed()
    keys = legend.locator(".chart-legend-item > span")
    assert keys.count() >= 3 and all(keys.nth(i).bounding_box()["width"] > 5 for i in range(keys.count()))
    _shot(page, "brief-chart.png")
    page.locator("table.scorecard").first.evaluate("e => e.scrollIntoView({block: 'start'})")
    time.sleep(1)
    assert (_shot(page, "brief.png")).stat().st_size > 20_000
    context.close()


def test_the_explorer_fits_and_its_widgets_redraw(browser, lab, copies, real_run):
    context, page = _open(browser, lab, copies / "explore.ipynb")
    params = ['province: str = "Hà Nam"', f'run_id: str = "{real_run["run_id"]}"']
    params += [f'store: str = "{real_run["store"]}"', 'lang: str = "vi"']
    _set_parameters(page, "\n".join(params))
    _run_all(page)
    assert _errors(page) == []
    row = page.locator(".widget-hbox").first
    row.scroll_into_view_if_needed()
    assert row.evaluate("e => e.scrollWidth <= e.clientWidth + 1")  # no sideways scrolling
    track = page.locator(".widget-slider .slider-container").first
    assert track.evaluate("e => e.getBoundingClientRect().width") > 100  # a slider one can drag
    page.locator(".widget-dropdown select").nth(3).select_option(label="Tốc độ cố định (thanh trượt)")
    page.wait_for_selector("text=Tốc độ −3,0%/năm", timeout=60_000)
    box = page.locator(".widget-text input").first
    box.fill("-4,5")
    box.press("Enter")
    page.wait_for_selector("text=Tốc độ −4,5%/năm", timeout=60_000)
    row.evaluate("e => e.scrollIntoView({block: 'start'})")
    time.sleep(1)
    assert _shot(page, "explore.png").stat().st_size > 20_000
    context.close()
