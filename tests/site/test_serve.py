"""`leaflet serve` as an author uses it: a real `leaflet serve` process, plain HTTP requests for
what it must refuse, and the browser (test_site_browser's session) for reloads and errors."""

from __future__ import annotations

import contextlib
import http.client
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPO
from tests.site.test_site import site_project
from tests.site.test_site_browser import browser  # noqa: F401 - the session's one browser

Server = tuple[str, Path]


def fetch(base: str, path: str, host: str | None = None) -> tuple[int, dict[str, str], bytes]:
    address = base.removeprefix("http://").rstrip("/")
    conn = http.client.HTTPConnection(address, timeout=10)
    conn.putrequest("GET", path, skip_host=True)
    conn.putheader("Host", host or address)
    conn.endheaders()
    reply = conn.getresponse()
    return reply.status, dict(reply.getheaders()), reply.read()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("serve")
    source = site_project(root)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    process = subprocess.Popen(
        [sys.executable, "-m", "leaflet_builder", "serve", "--port", "0", "-q"],
        cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "serving" in line, line
        base = line.split(" at ", 1)[1].split()[0]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # the first build
            status, _, body = fetch(base, "/fever/")
            if status == 200 and b"Fever after treatment" in body:
                break
            time.sleep(0.2)
        yield base, source
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_only_loopback_host_names_are_answered(server: Server) -> None:
    base, _ = server
    port = base.rstrip("/").rsplit(":", 1)[1]
    assert fetch(base, "/fever/")[0] == 200
    assert fetch(base, "/fever/", host=f"localhost:{port}")[0] == 200
    for host in (f"evil.example:{port}", "evil.example", f"127.0.0.1.evil.example:{port}"):
        assert fetch(base, "/fever/", host=host)[0] == 403  # DNS rebinding


def test_nothing_outside_the_site_is_served(server: Server) -> None:
    base, source = server
    (source.parent / "secret.txt").write_text("not for the web")
    for path in ("/../secret.txt", "/../../secret.txt", "/%2e%2e/secret.txt",
                 "/..%2fsecret.txt", "/../source/fever.md"):
        status, _, body = fetch(base, path)
        assert status == 404 and b"not for the web" not in body and b"title:" not in body


def test_a_static_hosts_behaviour_and_the_reload_script(server: Server) -> None:
    base, _ = server
    status, headers, _ = fetch(base, "/fever")
    assert status == 301 and headers["Location"] == "/fever/"
    status, _, body = fetch(base, "/no-such-leaflet/")
    assert status == 404 and b"Page not found" in body
    _, _, page = fetch(base, "/fever/")
    assert b"/_leaflet/events" in page  # added when served; the built file has none
    assert b"_leaflet" not in (server[1].parent / "dist" / "site" / "fever" / "index.html"
                               ).read_bytes()


def test_save_reloads_the_page_and_errors_show_over_it(server: Server,
                                                       browser: Any) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By

    base, source = server
    browser.get(base + "fever/")
    heading = browser.find_element(By.TAG_NAME, "h1")
    assert heading.text == "Fever after treatment"
    leaflet = source / "fever.md"
    good = leaflet.read_text()

    def wait_for(condition: Any, seconds: float) -> float:
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            with contextlib.suppress(Exception):  # the page is reloading
                if condition():
                    return time.monotonic() - started
            time.sleep(0.05)
        raise AssertionError(f"not seen within {seconds} s")

    time.sleep(0.5)  # the page's event stream is connected
    leaflet.write_text(good.replace("Fever after treatment", "Fever after your treatment"))
    took = wait_for(lambda: browser.find_element(By.TAG_NAME, "h1").text
                    == "Fever after your treatment", 10)
    assert took <= 2.0, f"the page changed {took:.1f} s after the save"

    leaflet.write_text(good.replace("status: approved", "status: final"))
    wait_for(lambda: "status" in browser.find_element(By.ID, "leaflet-serve-errors").text, 10)
    overlay = browser.find_element(By.ID, "leaflet-serve-errors").text
    assert "fever.md:" in overlay and "must be 'draft', 'approved' or 'withdrawn'" in overlay
    assert browser.find_element(By.TAG_NAME, "h1").text == "Fever after your treatment"

    leaflet.write_text(good)
    wait_for(lambda: browser.find_element(By.TAG_NAME, "h1").text == "Fever after treatment"
             and not browser.find_elements(By.ID, "leaflet-serve-errors"), 10)
