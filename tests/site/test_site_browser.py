"""The web site in a real browser: headless Chromium (Debian's, driven by chromedriver and
Selenium) with axe-core, at a phone's and a desktop's width. One browser for the whole session.

Skips locally without Chromium, chromedriver, Selenium or axe-core (`tests/install-tools.sh`);
fails under CI=true. Set SITE_SCREENSHOTS=<folder> to keep screenshots of the pages to look at.
"""

from __future__ import annotations

import http.server
import os
import threading
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import IN_CI, REPO, require_module, require_tool
from tests.site.test_site import run_build, site_project

pytestmark = pytest.mark.external

AXE = REPO / "tests" / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
# the pages axe checks: home, a leaflet, a glossary leaflet, a guide, a withdrawn page, the 404
PAGES = ["", "fever/", "rashes/", "side-effects/", "old-fever/", "404.html"]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def served_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("site-browser")
    result = run_build(site_project(root), root / "dist", layouts=("clinic",),
                       formats=("docx", "epub", "site"))
    assert not result.failed
    # published under the path of base_url, as the 404 page's links expect
    (root / "www").mkdir()
    (root / "www" / "leaflets").symlink_to(root / "dist" / "site")
    handler = partial(_QuietHandler, directory=str(root / "www"))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/leaflets/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    chromium = require_tool("chromium")
    chromedriver = require_tool("chromedriver")
    require_module("selenium")
    if not AXE.is_file():
        message = "axe-core is not installed (bash tests/install-tools.sh)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", "--no-first-run", "--disable-extensions"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(chromedriver), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def viewport(driver: Any, width: int, height: int = 900) -> None:
    """The CSS viewport exactly (window sizes include the browser's own frame)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


def axe_violations(driver: Any) -> list[dict[str, Any]]:
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    driver.set_script_timeout(60)
    violations: list[dict[str, Any]] = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(r => done(r.violations.map(v => ({id: v.id, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' '))}))));", WCAG_TAGS)
    return violations


def screenshot(driver: Any, name: str) -> None:
    folder = os.environ.get("SITE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        width = driver.execute_script("return window.innerWidth")
        viewport(driver, width, min(int(height), 4000))
        driver.save_screenshot(str(Path(folder) / f"{name}.png"))


def test_axe_finds_nothing_at_phone_and_desktop_widths(browser: Any, served_site: str) -> None:
    found = {}
    for width in (390, 1280):
        for page in PAGES:
            viewport(browser, width)
            browser.get(served_site + page)
            violations = axe_violations(browser)
            if violations:
                found[f"{page or 'home'} at {width}px"] = violations
            screenshot(browser, f"{(page or 'home').strip('/').replace('.html', '')}-{width}")
    assert not found, found


def test_reflow_at_320_css_pixels(browser: Any, served_site: str) -> None:
    """WCAG 1.4.10: nothing scrolls sideways at 320 px, and the glossary labels stack."""
    viewport(browser, 320)
    for page in PAGES:
        browser.get(served_site + page)
        scroll, inner = browser.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, f"{page or 'home'}: {scroll}px wide in a {inner}px viewport"
    viewport(browser, 390)
    browser.get(served_site + "rashes/")
    boxes = browser.execute_script(
        "const dl = document.querySelector('.glossary-block');"
        "return [...dl.children].map(e => e.getBoundingClientRect().toJSON());")
    term, definition = boxes[0], boxes[1]
    assert definition["left"] == term["left"] and definition["top"] >= term["bottom"] - 1


def test_skip_link_is_first_and_visible_when_focused(browser: Any, served_site: str) -> None:
    from selenium.webdriver.common.keys import Keys

    viewport(browser, 390)
    browser.get(served_site + "fever/")
    browser.find_element("tag name", "body").send_keys(Keys.TAB)
    focused = browser.switch_to.active_element
    assert focused.get_attribute("class") == "skip-link"
    box = focused.rect
    assert box["x"] >= 0 and box["y"] >= 0 and box["width"] > 50
    assert focused.value_of_css_property("background-color") == "rgba(255, 221, 0, 1)"
    for page in PAGES:
        browser.get(served_site + page)
        assert browser.execute_script("return document.documentElement.lang")


def test_search_a_term_and_reach_the_leaflet(browser: Any, served_site: str) -> None:
    from selenium.webdriver.common.by import By

    viewport(browser, 390)
    browser.get(served_site)
    box = browser.find_element(By.ID, "search-input")
    assert box.is_displayed()  # the script reveals the form; without it the A to Z list remains
    box.send_keys("shivering")  # a word only in the body of "Fever after treatment"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        results = browser.find_elements(By.CSS_SELECTOR, "#search-results a")
        if results:
            break
        time.sleep(0.1)
    assert [a.text for a in results] == ["Fever after treatment"]
    assert "1 leaflet found" in browser.find_element(By.ID, "search-status").text
    results[0].click()
    assert browser.find_element(By.TAG_NAME, "h1").text == "Fever after treatment"
    assert browser.current_url == served_site + "fever/"


def test_alias_address_lands_on_the_leaflet(browser: Any, served_site: str) -> None:
    browser.get(served_site + "high-temperature")
    deadline = time.monotonic() + 5
    while not browser.current_url.endswith("/fever/") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert browser.current_url == served_site + "fever/"


def test_printing_the_page_gives_the_leaflet_without_navigation(browser: Any,
                                                                served_site: str) -> None:
    import base64
    import io

    from pypdf import PdfReader

    viewport(browser, 1280)
    browser.get(served_site + "fever/")
    printed = browser.execute_cdp_cmd("Page.printToPDF", {"printBackground": False})
    reader = PdfReader(io.BytesIO(base64.b64decode(printed["data"])))
    import unicodedata

    # NFKC: the ligatures a font may set ("ﬂ") back to letters, so both checks can fail
    text = unicodedata.normalize("NFKC", " ".join(p.extract_text() for p in reader.pages))
    text = " ".join(text.split())
    assert "Fever after treatment" in text and "Call us if you have a fever or shivering." in text
    assert "About this leaflet" in text
    for navigation in ("Skip to main content", "Download this leaflet", "All leaflets A to Z",
                       "Patient information leaflets"):
        assert navigation not in text
