"""Hostile projects built end to end: nothing escapes the project, nothing runs, nothing is fetched.

A secret file is planted beside each project and a local HTTP server listens on 127.0.0.1;
sources and layouts try to reach both. Every output is then opened with independent readers
(lxml, python-docx, zipfile, pikepdf, pypdf) and searched for scripts, event handlers,
`javascript:` and the secret's bytes; the server must have received no request at all.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from leaflet_builder.errors import LeafletError
from leaflet_builder.layouts import load_layout
from tests.helpers import leaflet_text, make_project, manifest, png_bytes, run_cli

SECRET = "S3CRET-8b1f-DO-NOT-LEAK"
EVIL_TITLE = "{{ 7*7 }} <script>alert(1)</script> & \"quoted\" 'apos' ]]> {% if x %}"
EVIL_SUMMARY = "<img src=x onerror=alert(1)> {{ config }} &amp; <![CDATA[x]]>"


class _Recorder(BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        body = png_bytes() if self.path.endswith(".png") else b"body{color:red}"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server (port 0: any free port) that records every request it gets."""
    handler = type("Recorder", (_Recorder,), {"requests": []})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", handler.requests
    finally:
        httpd.shutdown()
        httpd.server_close()


def plant_secret(folder: Path) -> dict[str, Path]:
    """Files outside the project that no build may read."""
    folder.mkdir(parents=True, exist_ok=True)
    text = folder / "secret.txt"
    text.write_text(f"{SECRET}\n", encoding="utf-8")
    image = folder / "secret.png"
    image.write_bytes(png_bytes(12, 12, (1, 2, 3)) + SECRET.encode())  # bytes after IEND
    css = folder / "secret.css"
    css.write_text(f'body::before {{ content: "{SECRET}"; }}\n', encoding="utf-8")
    return {"text": text, "image": image, "css": css}


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory: pytest.TempPathFactory, server: tuple[str, list[str]]
                  ) -> tuple[Path, subprocess.CompletedProcess[str]]:
    base, _ = server
    root = tmp_path_factory.mktemp("hostile")
    secrets = plant_secret(root / "outside")
    project = root / "project"
    evil_body = f"""\
        ## {{{{ 7*7 }}}} heading <b onmouseover=alert(1)>bold</b>

        Text with {{{{ 7*7 }}}}, {{% raw %}} and ]]> and <script>alert(1)</script> inline.

        <script>alert(1)</script>

        - A [safe link]({base}/page-link) and [mail](mailto:nurse@example.org)
        - {{{{ range(10**9)|list }}}}

        ::: warning {{{{ 7*7 }}}} <b>title</b>
        Body & more.
        :::
        """
    source = make_project(project, {
        "good": leaflet_text("## Fine\n\nAll good.\n", title="Good leaflet"),
        "evil-title": leaflet_text(evil_body, title=EVIL_TITLE, summary=EVIL_SUMMARY,
                                   sources=[{"title": "Ref <b>", "url": f"{base}/source-url"}],
                                   tags=["{{ 7*7 }}"], version="{{ 7*7 }}"),
        "remote-image": leaflet_text(f"![Remote]({base}/remote.png)\n"),
        "file-link": leaflet_text(f"[notes](file://{secrets['text']})\n"),
        "escape-image": leaflet_text("![Escape](../../outside/secret.png)\n"),
        "absolute-image": leaflet_text(f"![Absolute]({secrets['image']})\n"),
        "linked-image": leaflet_text("![Linked](images/linked.png)\n"),
        "hero-remote": leaflet_text("Text.\n", image={"src": f"{base}/hero.png", "alt": "Hero"}),
    }, booklets={"guide": {"title": EVIL_TITLE, "leaflets": ["good", "evil-title"]}})
    (source / "images").mkdir()
    (source / "images" / "linked.png").symlink_to(secrets["image"])
    (source / "linked-leaflet.md").symlink_to(root / "outside" / "stolen.md")
    (root / "outside" / "stolen.md").write_text(leaflet_text(f"{SECRET}\n", title=SECRET))
    result = run_cli("build", cwd=project)
    return project, result


EXPECTED_ERRORS = {
    "remote-image": "source/remote-image.md:6: image '{base}/remote.png': images must be local files",
    "file-link": "source/file-link.md:6: link 'file://",
    "escape-image": "source/escape-image.md:6: image '../../outside/secret.png': the path leads "
                    "outside source/",
    "absolute-image": "source/absolute-image.md:6: image '",
    "linked-image": "source/linked-image.md:6: image 'images/linked.png': the path leads outside",
    "hero-remote": "source/hero-remote.md:6: image '{base}/hero.png': images must be local files",
    "linked-leaflet": "source/linked-leaflet.md: this file is a symbolic link to",
}


def test_each_hostile_leaflet_is_a_located_error_and_the_rest_builds(
        hostile_build: tuple[Path, subprocess.CompletedProcess[str]],
        server: tuple[str, list[str]]) -> None:
    project, result = hostile_build
    base, _ = server
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    for slug, expected in EXPECTED_ERRORS.items():
        assert expected.format(base=base) in result.stderr, (slug, result.stderr)
    assert "source/evil-title.md:16: warning: raw HTML is not allowed" in result.stderr
    assert "source/evil-title.md:12: warning: raw HTML '<b onmouseover=alert(1)>'" in result.stderr
    built = {(o["slug"], o["format"]) for o in manifest(project / "dist")}
    for slug in ("good", "evil-title"):
        assert {(slug, fmt) for fmt in ("pdf", "docx", "epub", "html")} <= built
    assert {("guide", "pdf"), ("guide", "epub")} <= built
    assert not {slug for slug, _ in built} & set(EXPECTED_ERRORS)


def test_the_build_made_no_network_request(
        hostile_build: tuple[Path, subprocess.CompletedProcess[str]],
        server: tuple[str, list[str]]) -> None:
    _, requests = server
    assert hostile_build[1].returncode == 1
    assert requests == []


def _output_texts(dist: Path) -> dict[str, bytes]:
    """Every output's bytes, with ZIP members and decompressed PDF streams spelled out."""
    import pikepdf

    texts: dict[str, bytes] = {}
    for path in sorted(dist.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        texts[str(path)] = data
        if path.suffix in (".docx", ".epub"):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for name in archive.namelist():
                    texts[f"{path}!{name}"] = archive.read(name)
        if path.suffix == ".pdf":
            with pikepdf.open(path) as pdf:
                for number, obj in enumerate(pdf.objects):
                    if isinstance(obj, pikepdf.Stream):
                        try:
                            texts[f"{path}#{number}"] = obj.read_bytes()
                        except pikepdf.PdfError:
                            texts[f"{path}#{number}"] = obj.read_raw_bytes()
    return texts


def test_no_output_holds_a_script_an_event_handler_or_the_secret(
        hostile_build: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    from lxml import etree, html

    dist = hostile_build[0] / "dist"
    texts = _output_texts(dist)
    assert len(texts) > 10
    # the web site's pages may load its own search script and nothing else; their links are
    # relative addresses of the site's own pages and files (the 404 page's from base_url's path)
    own_script = re.compile(rb'<script src="(\.\./)?_assets/search-[0-9a-f]{10}\.js" defer>'
                            rb'</script>')
    site = str(dist / "site") + os.sep
    for name, data in texts.items():
        assert SECRET.encode() not in data, name
        if ".pdf" in name:
            continue  # PDF text may show "<script>" as typed; its actions are checked below
        in_site = name.startswith(site) and "!" not in name  # a page, not a copied book's
        if in_site:
            data = own_script.sub(b"", data)
        assert b"<script" not in data.lower(), name
        assert b"javascript:" not in data.lower(), name
        if name.endswith((".html", ".xhtml")):
            tree = html.fromstring(data) if name.endswith(".html") else etree.fromstring(data)
            handlers = [(el.tag, attr) for el in tree.iter() if isinstance(el.tag, str)
                        for attr in el.attrib if attr.lower().startswith("on")]
            assert handlers == [], name
            hrefs = [el.get("href") for el in tree.iter() if isinstance(el.tag, str)
                     and el.get("href")]
            allowed = (r"^(https?:|mailto:|tel:|#|data:,$|\./$|/?(\.\./)?([\w-]+/)*"
                       r"([\w.-]+\.(html|css|pdf|docx|epub))?(#[\w-]+)?$)") if in_site else \
                r"^(https?:|mailto:|tel:|#|[\w-]+\.(x?html|css)(#|$))"
            assert [h for h in hrefs if not re.match(allowed, h)] == [], name


def test_no_pdf_holds_a_script_action(
        hostile_build: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    import pikepdf

    dist = hostile_build[0] / "dist"
    pdfs = sorted(dist.rglob("*.pdf"))  # the web site's copies are checked too
    folders = [p.relative_to(dist).parts[0] for p in pdfs]
    # the clinic PDFs, and each leaflet's large-print PDF the site offers by default
    assert (folders.count("clinic"), folders.count("large-print")) == (3, 2)
    for path in pdfs:
        with pikepdf.open(path) as pdf:
            uris = []
            for obj in pdf.objects:
                if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
                    keys = set(obj.keys())
                    assert not keys & {"/JS", "/JavaScript", "/Launch", "/EmbeddedFiles"}, path
                    if obj.get("/S") in (pikepdf.Name.JavaScript, pikepdf.Name.Launch):
                        pytest.fail(f"{path}: script action")
                    if "/URI" in keys:
                        uris.append(str(obj["/URI"]))
            assert all(re.match(r"^(https?:|mailto:|tel:)", uri) for uri in uris), (path, uris)


# "49" as a word of its own: a template run would print it; a random port such as 39149 in the
# page's text (the local server's address) must not fail the test
_SEVEN_TIMES_SEVEN = re.compile(r"(?<!\d)49(?!\d)")


def test_content_is_printed_as_typed_never_run_as_a_template(
        hostile_build: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    import docx
    from lxml import etree, html
    from pypdf import PdfReader

    layout = hostile_build[0] / "dist" / "clinic"
    page = html.fromstring((layout / "evil-title.html").read_bytes())
    assert page.findtext(".//h1").strip() == EVIL_TITLE
    words = " ".join(page.text_content().split())
    assert "Text with {{ 7*7 }}, {% raw %} and ]]> and alert(1) inline." in words  # tags dropped
    assert EVIL_SUMMARY in words and not _SEVEN_TIMES_SEVEN.search(words)

    pdf_text = " ".join(" ".join(p.extract_text() or "" for p in
                                 PdfReader(layout / "evil-title.pdf").pages).split())
    assert "{{ 7*7 }}" in pdf_text and "]]>" in pdf_text
    assert not _SEVEN_TIMES_SEVEN.search(pdf_text)
    assert PdfReader(layout / "evil-title.pdf").metadata.title == EVIL_TITLE

    document = docx.Document(str(layout / "evil-title.docx"))
    paragraphs = [p.text for p in document.paragraphs]
    assert EVIL_TITLE in paragraphs
    assert document.core_properties.title == EVIL_TITLE
    assert not _SEVEN_TIMES_SEVEN.search(" ".join(paragraphs))

    for book in ("evil-title.epub", "guide.epub"):
        with zipfile.ZipFile(layout / book) as archive:
            names = archive.namelist()
            opf = etree.fromstring(archive.read(next(n for n in names if n.endswith(".opf"))))
            dc = {"dc": "http://purl.org/dc/elements/1.1/"}
            assert opf.findtext(".//dc:title", namespaces=dc) == EVIL_TITLE
            book_text = ""
            for name in names:
                if name.endswith((".xhtml", ".ncx", ".opf")):
                    tree = etree.fromstring(archive.read(name))  # well-formed XML, or it raises
                    book_text += " ".join("".join(tree.itertext()).split()) + "\n"
            assert "{{ 7*7 }} heading bold" in book_text
            assert "Text with {{ 7*7 }}, {% raw %} and ]]> and alert(1) inline." in book_text
            assert EVIL_SUMMARY in book_text
            nav = next(n for n in names if n.endswith("nav.xhtml"))
            assert EVIL_TITLE in "".join(etree.fromstring(archive.read(nav)).itertext()) or \
                book == "evil-title.epub"


def test_hostile_project_layout_is_refused_before_rendering(
        tmp_path: Path, server: tuple[str, list[str]]) -> None:
    base, requests = server
    secrets = plant_secret(tmp_path / "outside")
    project = tmp_path / "project"
    make_project(project, {"good": leaflet_text()})
    layouts = {
        "remote-import": f"/* a shared layout */\n@import url({base}/evil.css);\n",
        "remote-font": f'@font-face {{ font-family: X; src: url("{base}/font.woff"); }}\n',
        "file-url": f"body {{ background: url(file://{secrets['image']}); }}\n",
        "escape": "body { background: url(../../../outside/secret.png); }\n",
    }
    for name, css in layouts.items():
        folder = project / "layouts" / name
        folder.mkdir(parents=True)
        (folder / "layout.yaml").write_text("extends: clinic\n", encoding="utf-8")
        (folder / "style.css").write_text(css, encoding="utf-8")
    linked = project / "layouts" / "linked"
    linked.mkdir()
    (linked / "layout.yaml").write_text("extends: clinic\n", encoding="utf-8")
    (linked / "style.css").symlink_to(secrets["css"])
    (project / "layouts" / "elsewhere").symlink_to(tmp_path / "outside", target_is_directory=True)
    (tmp_path / "outside" / "layout.yaml").write_text("extends: clinic\n", encoding="utf-8")

    expected = {
        "remote-import": f"layouts/remote-import/style.css:2: stylesheet refers to '{base}/evil.css'",
        "remote-font": "layouts/remote-font/style.css:1: stylesheet refers to",
        "file-url": "layouts/file-url/style.css:1: stylesheet refers to 'file://",
        "escape": "layouts/escape/style.css:1: stylesheet refers to '../../../outside/secret.png'",
        "linked": "layout file 'style.css' leads outside the layout folder",
        "elsewhere": "layout folder 'elsewhere' is a symbolic link to",
        "../../outside": "layout name '../../outside' is not valid",
    }
    for name in ("remote-import", "../../outside"):  # end to end: the real command
        result = run_cli("build", "--layout", name, "--format", "html", "--format", "pdf",
                         cwd=project)
        assert result.returncode == 1, (name, result.stderr)
        assert expected[name] in result.stderr, (name, result.stderr)
        assert "Traceback" not in result.stderr
        assert not [p for p in project.rglob("*") if p.suffix in (".pdf", ".html")], name
    for name, message in expected.items():  # the rest in-process: the same code, faster
        with pytest.raises(LeafletError) as caught:
            layout = load_layout(name, project)
            for stylesheet in layout.setting("stylesheets", default=["style.css"]):
                layout.read_text(stylesheet)
        assert message in caught.value.diagnostic.display(project), name
    assert not list(tmp_path.glob("outside/*.pdf")) and not list(tmp_path.glob("*.html"))
    assert requests == []


def test_a_users_own_file_in_dist_is_never_overwritten(tmp_path: Path) -> None:
    project = tmp_path / "project"
    make_project(project, {"mine": leaflet_text(title="Mine"), "other": leaflet_text()})
    own = project / "dist" / "clinic" / "mine.html"
    own.parent.mkdir(parents=True)
    own.write_text("my own notes", encoding="utf-8")

    first = run_cli("build", "--format", "html", cwd=project)
    assert first.returncode == 1
    assert "dist/clinic/mine.html already exists and was not written by `leaflet build`" in \
        first.stderr.replace(str(project) + "/", "")
    assert own.read_text(encoding="utf-8") == "my own notes"
    assert {o["path"] for o in manifest(project / "dist")} == {"clinic/other.html"}

    own.unlink()  # the user moved their file away: now the build may write there
    again = run_cli("build", "--format", "html", cwd=project)
    assert again.returncode == 0, again.stderr
    assert "Mine" in own.read_text(encoding="utf-8")
