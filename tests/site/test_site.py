"""The web site (dist/site/) as a patient and a static host meet it: served by a plain
`http.server` with no rewrite rules, read with lxml, downloads compared byte for byte with the
manifest. Browser checks (axe-core, reflow, search) are in test_site_browser.py."""

from __future__ import annotations

import hashlib
import http.client
import http.server
import json
import threading
import urllib.request
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

from leaflet_builder.build import BuildOptions, build
from leaflet_builder.project import load_project
from tests.helpers import leaflet_text, make_project

BASE_URL = "https://example.org/leaflets"


def _png(width: int = 40, height: int = 30, kind: str = "PNG") -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, kind)
    return buffer.getvalue()


PNG = _png()
PHOTO = _png(1200, 800, "JPEG")


def approved(**front: Any) -> dict[str, Any]:
    return {"status": "approved", "reviewed": "2026-01-10", "reviewer": "Dr A. Reviewer",
            "sources": [{"title": "NHS: Immunotherapy"}], **front}


def site_project(root: Path) -> Path:
    leaflets = {
        "fever": leaflet_text("## When to call\n\nCall us if you have a fever or shivering.\n\n"
                              "![A thermometer](images/t.png)\n\nSee [rashes](rashes.md).\n\n"
                              "![A nurse taking a temperature](images/photo.jpg)\n",
                              **approved(title="Fever after treatment",
                                         summary="What to do if you get a fever.",
                                         aliases=["high-temperature"])),
        "rashes": leaflet_text("## Skin\n\nA rash can be a side effect of immunotherapy.\n",
                               title="Skin rashes", summary="Rashes and itchy skin.",
                               status="draft", kind="glossary", pronunciation="RASH-iz",
                               part_of_speech="noun",
                               origin="From the old French word rasche, a sore on the skin"),
        "old-fever": leaflet_text("## Old\n\nOld text.\n",
                                  **approved(title="Temperature (old leaflet)",
                                             summary="Replaced.", status="withdrawn",
                                             reviewed="2026-03-02", replaced_by="fever")),
        "cymraeg": leaflet_text("## Twymyn\n\nFfoniwch ni os oes gennych dwymyn.\n",
                                **approved(title="Twymyn", summary="Beth i'w wneud.",
                                           language="cy")),
    }
    return make_project(root, leaflets,
                        project={"organisation": "Example Cancer Centre", "language": "en-GB",
                                 "base_url": BASE_URL, "contact": "Call 0100 000 0000"},
                        booklets={"side-effects": {"title": "Side effects guide",
                                                   "leaflets": ["fever", "rashes"]}},
                        files={"images/t.png": PNG, "images/photo.jpg": PHOTO})


def run_build(source: Path, out: Path, layouts: tuple[str, ...] = ("clinic", "large-print"),
              formats: tuple[str, ...] = ("pdf", "docx", "epub", "site"),
              approved_only: bool = False) -> Any:
    return build(BuildOptions(source, out, layouts, formats, jobs=1,
                              approved_only=approved_only))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("site")
    source = site_project(root)
    result = run_build(source, root / "dist")
    assert not result.failed and not [d for d in result.diagnostics if d.level == "error"], \
        [d.display() for d in result.diagnostics]
    return root / "dist"


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    """dist/site/ served as a static host would: no rewrites, folders answer with index.html."""
    handler = partial(_QuietHandler, directory=str(site / "site"))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def manifest(dist: Path) -> list[dict[str, Any]]:
    outputs: list[dict[str, Any]] = json.loads((dist / "manifest.json").read_text())["outputs"]
    return outputs


def page(dist: Path, path: str) -> Any:
    return lxml_html.fromstring((dist / "site" / path).read_bytes())


def test_slug_without_and_with_slash_reach_the_leaflet(server: str) -> None:
    host = server.removeprefix("http://")
    conn = http.client.HTTPConnection(host, timeout=10)
    conn.request("GET", "/fever")  # what the QR code on the printed leaflet holds
    answer = conn.getresponse()
    answer.read()
    assert answer.status == 301 and answer.getheader("Location") == "/fever/"
    with urllib.request.urlopen(f"{server}/fever/", timeout=10) as reply:
        doc = lxml_html.fromstring(reply.read())
    assert doc.findtext(".//h1") == "Fever after treatment"
    assert "Call us if you have a fever or shivering." in doc.text_content()


def test_every_download_is_the_manifests_file(site: Path, server: str) -> None:
    entries = manifest(site)
    by_sha: dict[str, list[dict[str, Any]]] = {}
    for e in entries:
        if e["kind"] != "site":
            by_sha.setdefault(e["sha256"], []).append(e)
    doc = page(site, "fever/index.html")
    links = doc.xpath('//section[@id="downloads"]//a')
    labels = [" ".join(a.getparent().text_content().split()) for a in links]
    assert [a.get("href") for a in links] == [
        "fever.pdf", "fever-large-print.pdf", "fever.docx", "fever.epub"]
    found = set()
    for link, label in zip(links, labels, strict=True):
        with urllib.request.urlopen(f"{server}/fever/{link.get('href')}", timeout=10) as reply:
            data = reply.read()
        same = by_sha[hashlib.sha256(data).hexdigest()]  # the very bytes the build wrote
        assert {(e["slug"], e["kind"]) for e in same} == {("fever", "leaflet")}
        entry = same[0]
        found |= {(e["format"], e["layout"]) for e in same}
        kilobytes = round(len(data) / 1000)
        assert f"{kilobytes} kB" in label and {"pdf": "PDF", "docx": "Word",
                                               "epub": "EPUB"}[entry["format"]] in label
    # (Word and EPUB are the same bytes in both layouts: their look comes from the reader)
    assert {("pdf", "clinic"), ("pdf", "large-print"), ("docx", "clinic"),
            ("epub", "clinic")} <= found
    # the site's own files are in the manifest too, and hold what it says
    site_entries = {e["path"]: e for e in entries if e["kind"] == "site"}
    assert "site/fever/index.html" in site_entries and "site/index.html" in site_entries
    for path, entry in site_entries.items():
        assert hashlib.sha256((site / path).read_bytes()).hexdigest() == entry["sha256"]


def test_guide_lists_its_leaflets_in_order_with_its_books(site: Path) -> None:
    doc = page(site, "side-effects/index.html")
    assert doc.findtext(".//h1") == "Side effects guide"
    assert [a.text for a in doc.xpath("//ol[@class='leaflet-list']/li/a")] == [
        "Fever after treatment", "Skin rashes"]
    hrefs = [a.get("href") for a in doc.xpath('//section[@id="downloads"]//a')]
    assert hrefs == ["side-effects.pdf", "side-effects-large-print.pdf", "side-effects.epub"]


def test_home_lists_everything_a_to_z(site: Path) -> None:
    doc = page(site, "index.html")
    titles = [a.text for a in doc.xpath("//section[@aria-labelledby='az-title']/ul/li/a")]
    assert titles == ["Fever after treatment", "Skin rashes", "Twymyn"]
    assert "Temperature (old leaflet)" not in doc.text_content()  # withdrawn
    assert doc.xpath("//form[@role='search']//input[@type='search']")
    assert [a.text for a in doc.xpath("//section[@aria-labelledby='guides-title']//a")] == [
        "Side effects guide"]
    languages = doc.xpath("//section[@aria-labelledby='languages-title']//li")
    assert [" ".join(li.text_content().split()) for li in languages] == [
        "Cymraeg (Welsh): 1 leaflet", "English: 2 leaflets"]
    assert doc.xpath("//li[a='Twymyn']/@lang") == ["cy"]  # language of parts (WCAG 3.1.2)


def test_leaflet_page_head_review_dates_and_pictures(site: Path) -> None:
    doc = page(site, "fever/index.html")
    assert doc.xpath("/html/@lang") == ["en-GB"]
    assert doc.xpath("//link[@rel='canonical']/@href") == [f"{BASE_URL}/fever/"]
    assert doc.xpath("//meta[@property='og:title']/@content") == ["Fever after treatment"]
    assert doc.xpath("//meta[@property='og:description']/@content") == [
        "What to do if you get a fever."]
    assert not doc.xpath("//meta[@name='robots']")  # approved: may be indexed
    card = doc.xpath("//meta[@property='og:image']/@content")[0]
    assert card.startswith(f"{BASE_URL}/_assets/share-") and card.endswith(".png")
    from PIL import Image

    with Image.open(site / "site" / card.removeprefix(BASE_URL + "/")) as picture:
        assert picture.size == (1200, 630)
    assert doc.xpath("//meta[@property='og:image:alt']/@content") == [
        "Example Cancer Centre: patient information leaflets"]
    text = " ".join(doc.text_content().split())
    assert "Page last reviewed: 10 January 2026" in text
    assert "Next review due: 10 January 2029" in text
    img = doc.xpath("//main//img")[0]
    assert (img.get("width"), img.get("height"), img.get("alt")) == ("40", "30", "A thermometer")
    assert (site / "site" / "fever" / img.get("src")).resolve().read_bytes() == PNG
    assert not img.get("srcset")  # small already
    photo = doc.xpath("//main//img")[1]
    assert (photo.get("width"), photo.get("height")) == ("1200", "800")
    candidates = [item.split() for item in photo.get("srcset").split(", ")]
    assert [w for _, w in candidates] == ["480w", "960w", "1200w"] and photo.get("sizes")
    from PIL import Image

    for url, width in candidates:  # each copy is the width it claims, and the same picture
        with Image.open(site / "site" / "fever" / url) as copy:
            assert copy.width == int(width[:-1]) and copy.height * 3 == copy.width * 2
    assert (site / "site" / "fever" / photo.get("src")).read_bytes() == PHOTO
    assert doc.xpath("//a[.='rashes']/@href") == ["../rashes/"]
    assert doc.xpath("//a[@class='skip-link']/@href") == ["#main"] and doc.xpath("//main[@id='main']")


def test_draft_is_marked_and_not_indexed(site: Path) -> None:
    doc = page(site, "rashes/index.html")
    assert doc.xpath("//meta[@name='robots']/@content") == ["noindex"]
    assert "DRAFT — not for patient use" in doc.text_content()
    sitemap = (site / "site" / "sitemap.xml").read_text()
    assert f"<loc>{BASE_URL}/fever/</loc>" in sitemap and "rashes" not in sitemap
    assert "side-effects" not in sitemap  # the guide holds a draft


def test_withdrawn_address_says_so_and_links_the_replacement(site: Path) -> None:
    doc = page(site, "old-fever/index.html")
    text = " ".join(doc.text_content().split())
    assert "This leaflet has been withdrawn" in text
    assert "withdrawn on 2 March 2026" in text  # its `reviewed` date: when it was decided
    assert doc.xpath("//p[@class='replacement']/a/@href") == ["../fever/"]
    assert doc.xpath("//meta[@name='robots']/@content") == ["noindex"]
    assert not (site / "site" / "old-fever" / "old-fever.pdf").exists()
    assert not (site / "clinic" / "old-fever.pdf").exists()


def test_alias_redirects_to_the_new_address(site: Path, server: str) -> None:
    doc = page(site, "high-temperature/index.html")
    assert doc.xpath("//meta[@http-equiv='refresh']/@content") == ["0; url=../fever/"]
    assert doc.xpath("//link[@rel='canonical']/@href") == [f"{BASE_URL}/fever/"]
    assert doc.xpath("//main//a/@href") == ["../fever/"]  # a visible link too
    with urllib.request.urlopen(f"{server}/high-temperature", timeout=10) as reply:
        assert reply.status == 200 and reply.url.endswith("/high-temperature/")


def test_404_links_home_from_any_depth(site: Path) -> None:
    doc = page(site, "404.html")
    assert doc.findtext(".//h1") == "Page not found"
    assert "/leaflets/" in doc.xpath("//main//a/@href")
    assert doc.xpath("//link[@rel='stylesheet']/@href")[0].startswith("/leaflets/_assets/site-")


def test_nothing_leaves_the_site_and_pages_are_small(site: Path) -> None:
    root = site / "site"
    css = sorted((root / "_assets").glob("site-*.css"))
    assert len(css) == 1  # one fingerprinted stylesheet shared by every page
    for path in sorted(root.rglob("index.html")):
        doc = lxml_html.fromstring(path.read_bytes())
        loaded = doc.xpath("//link[@rel='stylesheet']/@href | //script/@src | //img/@src")
        assert all(not ref.startswith(("http:", "https:", "//")) for ref in loaded), path
        assert "@import" not in css[0].read_text() and "url(http" not in css[0].read_text()
        weight = path.stat().st_size + css[0].stat().st_size + sum(
            (path.parent / src).stat().st_size for src in doc.xpath("//script/@src"))
        assert weight <= 100_000, f"{path}: {weight} bytes before downloads and images"


def test_approved_only_leaves_drafts_out(tmp_path: Path) -> None:
    source = site_project(tmp_path)
    result = run_build(source, tmp_path / "dist", layouts=("clinic",),
                       formats=("docx", "site"), approved_only=True)
    assert not result.failed
    root = tmp_path / "dist" / "site"
    assert (root / "fever" / "index.html").is_file()
    assert not (root / "rashes").exists()
    home = (root / "index.html").read_text()
    assert "Skin rashes" not in home and "DRAFT" not in home
    guide = page(tmp_path / "dist", "side-effects/index.html")
    assert [a.text for a in guide.xpath("//ol/li/a")] == ["Fever after treatment"]
    assert not guide.xpath('//section[@id="downloads"]')  # the guide's books hold the draft



def test_every_right_to_left_language_gets_a_right_to_left_page(tmp_path: Path) -> None:
    # Sindhi and Dhivehi are written right to left like Arabic; a page marked ltr shows
    # their sentences with the punctuation at the wrong end
    source = make_project(tmp_path, {
        "sindhi": leaflet_text("سنڌي متن.\n", title="سنڌي", language="sd"),
        "dhivehi": leaflet_text("ދިވެހި.\n", title="ދިވެހި", language="dv"),
        "english": leaflet_text("Text.\n", title="English", language="en-GB")})
    result = run_build(source, tmp_path / "dist", layouts=("clinic",), formats=("docx", "site"))
    assert not result.failed
    dirs = {slug: page(tmp_path / "dist", f"{slug}/index.html").get("dir")
            for slug in ("sindhi", "dhivehi", "english")}
    assert dirs == {"sindhi": "rtl", "dhivehi": "rtl", "english": "ltr"}

def test_only_this_runs_outputs_are_offered(tmp_path: Path) -> None:
    """A file from an earlier run (large print not asked this time) may be stale: not offered."""
    source = site_project(tmp_path)
    out = tmp_path / "dist"
    run_build(source, out, layouts=("large-print",), formats=("docx",))
    fever = source / "fever.md"
    fever.write_text(fever.read_text().replace("shivering", "chills"))
    run_build(source, out, layouts=("clinic",), formats=("docx", "site"))
    assert (out / "large-print" / "fever.docx").is_file()  # still there, from the first run
    doc = page(out, "fever/index.html")
    assert doc.xpath('//section[@id="downloads"]//a/@href') == ["fever.docx"]
    assert not (out / "site" / "fever" / "fever-large-print.pdf").exists()


def test_site_folder_with_foreign_files_is_left_alone(tmp_path: Path) -> None:
    source = site_project(tmp_path)
    out = tmp_path / "dist"
    (out / "site").mkdir(parents=True)
    (out / "site" / "notes.txt").write_text("mine")
    result = run_build(source, out, layouts=("clinic",), formats=("site",))
    assert (out / "site" / "notes.txt").read_text() == "mine"
    assert any("site/ holds files the build did not write" in d.message
               for d in result.diagnostics)


@pytest.mark.parametrize(("leaflets", "message"), [
    ({"a": leaflet_text(title="A", status="withdrawn", replaced_by="nowhere")},
     "a.md:5: replaced_by: 'nowhere' is not a live leaflet"),
    ({"a": leaflet_text(title="A", replaced_by="b"), "b": leaflet_text(title="B")},
     "a.md:5: replaced_by: only a withdrawn leaflet is replaced"),
    ({"a": leaflet_text(title="A", aliases=["b"]), "b": leaflet_text(title="B")},
     "a.md:5: aliases: 'b' is the address of a leaflet or booklet that exists"),
    ({"a": leaflet_text(title="A", aliases=["old"]),
      "b": leaflet_text(title="B", aliases=["old"])},
     "b.md:5: aliases: 'old' is already an alias of 'a'"),
    ({"a": leaflet_text(title="A", aliases=["Not A Slug"])},
     "a.md:5: aliases: 'Not A Slug' is not a leaflet slug"),
])
def test_address_fields_are_checked(tmp_path: Path, leaflets: dict[str, str],
                                    message: str) -> None:
    project = load_project(make_project(tmp_path, leaflets))
    shown = [d.display() for d in project.diagnostics.errors]
    assert any(message in line for line in shown), shown


@pytest.mark.parametrize("template", [
    "{% extends 'site/base.html' %}{% block main %}{{ nothing_here }}{% endblock %}",
    "{% extends 'site/base.html' %}{% block main %}{{ ''.__class__ }}{% endblock %}",
    "{% if %}",
])
def test_broken_site_template_is_a_message_and_the_rest_is_built(tmp_path: Path,
                                                                 template: str) -> None:
    source = site_project(tmp_path)
    folder = tmp_path / "layouts" / "mine"
    (folder / "templates" / "site").mkdir(parents=True)
    (folder / "layout.yaml").write_text("extends: clinic\n")
    (folder / "templates" / "site" / "leaflet.html").write_text(template)
    result = run_build(source, tmp_path / "dist", layouts=("mine",), formats=("docx", "site"))
    errors = [d.display() for d in result.diagnostics if d.level == "error"]
    assert len(errors) == 1 and "the web site was not made: layout 'mine'" in errors[0], errors
    assert "site/leaflet.html" in errors[0]
    assert (tmp_path / "dist" / "mine" / "fever.docx").is_file()
    assert not (tmp_path / "dist" / "site").exists()
    assert not result.ok


def test_unchanged_site_is_not_made_again_but_a_change_or_tampering_is(tmp_path: Path) -> None:
    source = site_project(tmp_path)
    out = tmp_path / "dist"
    run_build(source, out, layouts=("clinic",), formats=("docx", "site"))
    page_file = out / "site" / "fever" / "index.html"
    first = page_file.stat().st_ino
    run_build(source, out, layouts=("clinic",), formats=("docx", "site"))
    assert page_file.stat().st_ino == first  # the same folder: nothing rendered or swapped
    page_file.write_text("tampered")
    run_build(source, out, layouts=("clinic",), formats=("docx", "site"))
    assert "Fever after treatment" in page_file.read_text()
    (source / "fever.md").write_text((source / "fever.md").read_text().replace(
        "shivering", "chills"))
    run_build(source, out, layouts=("clinic",), formats=("docx", "site"))
    assert "chills" in page_file.read_text()
    entries = {e["path"]: e for e in manifest(out)}
    assert entries["site/fever/fever.docx"]["sha256"] == entries["clinic/fever.docx"]["sha256"]


def test_a_site_template_fetching_from_elsewhere_is_refused(tmp_path: Path) -> None:
    source = site_project(tmp_path)
    folder = tmp_path / "layouts" / "mine"
    (folder / "templates" / "site").mkdir(parents=True)
    (folder / "layout.yaml").write_text("extends: clinic\n")
    (folder / "templates" / "site" / "404.html").write_text(
        "{% extends 'site/base.html' %}{% block main %}\n"
        "<img src=\"https://tracker.example/p.gif\" alt=\"\"/>{% endblock %}")
    result = run_build(source, tmp_path / "dist", layouts=("mine",), formats=("site",))
    errors = [d.display() for d in result.diagnostics if d.level == "error"]
    assert len(errors) == 1 and "https://tracker.example/p.gif" in errors[0], errors
    assert "templates/site/404.html:2:" in errors[0]
    assert not (tmp_path / "dist" / "site").exists()


def test_approved_only_after_a_full_site_is_not_taken_for_a_no_op(tmp_path: Path) -> None:
    """The no-op fast path (build/noop.py) must see the option: drafts would stay published."""
    from tests.helpers import run_cli

    site_project(tmp_path)
    first = run_cli("build", "--format", "docx", "--format", "site", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "dist" / "site" / "rashes" / "index.html").is_file()
    again = run_cli("build", "--format", "docx", "--format", "site", cwd=tmp_path)
    assert again.returncode == 0 and "0 up to date" not in again.stdout
    second = run_cli("build", "--format", "docx", "--format", "site", "--approved-only",
                     cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert not (tmp_path / "dist" / "site" / "rashes").exists()
    assert "Skin rashes" not in (tmp_path / "dist" / "site" / "index.html").read_text()
