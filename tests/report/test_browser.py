"""Open the published index and a brief in real headless Chromium, offline.

Needs Debian's ``chromium`` (``make test`` installs it when run as root) and the ``playwright``
package, whose bundled driver talks to it over the DevTools protocol (never ``playwright install``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_quarter import fixture_report

pytestmark = pytest.mark.report  # a published quarter, opened in Chromium

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (dev extra)")
    if not Path(CHROMIUM).exists():
        pytest.skip("no chromium: `apt-get install -y chromium` (make test does it when root)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    try:
        return fixture_report(tmp_path_factory.mktemp("reports"), mp)
    finally:
        mp.undo()


def _open(browser, path: Path, shot: Path) -> dict:
    """Load ``path`` with the network cut off; return console errors, images and the h1."""
    context = browser.new_context(offline=True)
    page = context.new_page()
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri(), wait_until="load")
    images = page.eval_on_selector_all(
        "img", "els => els.map(e => ({src: e.src.slice(0, 30), ok: e.complete && e.naturalWidth > 0}))"
    )
    h1 = page.eval_on_selector("h1", "e => e.textContent")
    page.screenshot(path=str(shot), full_page=True)
    context.close()
    return {
        "errors": errors,
        "images": images,
        "h1": h1,
        "title": page_title(path),
        "external": [u for u in requests if not u.startswith(("file:", "data:"))],
    }


def page_title(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text[text.index("<title>") + 7 : text.index("</title>")]


def test_index_and_brief_load_offline_without_errors(browser, published, tmp_path):
    brief = _open(browser, published.folder / "briefs" / "ha-nam.html", tmp_path / "brief.png")
    assert brief["errors"] == [] and brief["external"] == []
    assert brief["images"] and all(i["ok"] and i["src"].startswith("data:") for i in brief["images"])
    assert brief["h1"] == "Báo cáo chính sách: Hà Nam — 2026Q4"
    index = _open(browser, published.index, tmp_path / "index.png")
    assert index["errors"] == [] and index["external"] == []
    assert index["h1"] == "Bảng điểm quốc gia — 2026Q4"
    for shot in ("brief.png", "index.png"):
        assert (tmp_path / shot).stat().st_size > 5_000


@pytest.fixture(scope="module")
def served(published):
    """The published quarter over HTTP on 127.0.0.1 (as a web server would publish it)."""
    import functools
    import http.server
    import threading

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(published.folder))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


MAGIC = {".pdf": b"%PDF-", ".csv": b"\xef\xbb\xbf", ".xlsx": b"PK\x03\x04"}


def test_brief_download_links_load(browser, served):
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.goto(f"{served}/briefs/ha-nam.html", wait_until="load")
    links = page.eval_on_selector_all(
        "nav.downloads a",
        "els => els.map(e => ({href: e.getAttribute('href'), save: e.hasAttribute('download')}))",
    )
    assert {Path(link["href"]).suffix for link in links} == set(MAGIC), links
    for link in links:
        suffix = Path(link["href"]).suffix
        if link["save"]:  # CSV and Excel: a click saves the file
            with page.expect_download() as info:
                page.click(f'nav.downloads a[href="{link["href"]}"]')
            body = Path(info.value.path()).read_bytes()
            assert info.value.suggested_filename == link["href"]
        else:  # the PDF opens in place
            response = context.request.get(f"{served}/briefs/{link['href']}")
            assert response.status == 200
            body = response.body()
        assert body.startswith(MAGIC[suffix]), link
    index = context.request.get(f"{served}/index.html").text()
    for href in ("assessments.csv", "assessments.xlsx", "briefs/ha-nam.pdf", "briefs/ha-nam.scorecard.csv"):
        assert f'href="{href}"' in index
        assert context.request.get(f"{served}/{href}").status == 200, href
    context.close()


def test_printed_brief_hides_the_links(browser, published):
    context = browser.new_context(offline=True)
    page = context.new_page()
    page.goto((published.folder / "briefs" / "ha-nam.html").as_uri(), wait_until="load")
    assert page.is_visible("nav.downloads")
    page.emulate_media(media="print")
    assert not page.is_visible("nav.downloads")
    context.close()


def test_a_brief_links_to_its_indicator_page(browser, published, tmp_path):
    """Click the indicator named in the brief: its page opens, in Vietnamese, and names its English twin."""
    context = browser.new_context(offline=True)
    page = context.new_page()
    page.goto((published.folder / "briefs" / "ha-nam.html").as_uri(), wait_until="load")
    link = page.locator("a.indicator-link[data-indicator=life_expectancy]").first
    assert link.get_attribute("href") == "../indicators/vi/life_expectancy.html"
    with page.expect_navigation():
        link.click()
    assert page.url.endswith("/indicators/vi/life_expectancy.html")
    assert page.eval_on_selector("h1", "e => e.textContent") == "Tuổi thọ trung bình"
    headings = page.eval_on_selector_all("h2", "els => els.map(e => e.textContent)")
    assert headings[:4] == [
        "Định nghĩa",
        "Số liệu mới nhất",
        "Nguồn số liệu và số liệu trong kho",
        "Phương pháp",
    ]
    assert page.locator("html").get_attribute("lang") == "vi"
    page.screenshot(path=str(tmp_path / "indicator.png"), full_page=True)
    with page.expect_navigation():
        page.click("nav.languages a[hreflang=en]")
    assert page.url.endswith("/indicators/en/life_expectancy.html")
    assert page.eval_on_selector("h1", "e => e.textContent") == "Life expectancy at birth"
    context.close()
