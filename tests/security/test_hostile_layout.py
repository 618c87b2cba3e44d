"""Hostile layouts: a shared layout's templates, links and stylesheets cannot reach out.

Layouts are shared between teams, so a layout is as untrusted as a source. A secret is planted
beside the project; a project layout `evil` (`extends: clinic`) overrides one shared block with
each payload in turn. Every payload must fail that output with the template's `file:line`, and
no output, message or new file may show that anything was read or written.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from leaflet_builder.errors import LeafletError
from leaflet_builder.layouts import load_layout
from leaflet_builder.project import load_project
from leaflet_builder.render import RenderContext, get_renderer
from tests.helpers import leaflet_text, make_project, png_bytes, run_cli

SECRET = "S3CRET-7c2e-LAYOUT-DO-NOT-LEAK"
DISCLAIMER = "templates/shared/disclaimer.html"


def _project(root: Path) -> tuple[Path, Path]:
    """A project with one leaflet (image, link, dated source) and a secret beside it."""
    outside = root / "outside"
    outside.mkdir(parents=True)
    secret = outside / "secret.txt"
    secret.write_text(SECRET + "\n", encoding="utf-8")
    project = root / "project"
    make_project(project, {"one": leaflet_text(
        "## Part\n\nSee [two](two.md) and [NHS](https://www.nhs.uk).\n\n![A map](images/a.png)\n",
        sources=[{"title": "NHS", "url": "https://www.nhs.uk", "accessed": "2026-01-02"}],
        image={"src": "images/a.png", "alt": "Hero"}),
        "two": leaflet_text(title="Two")}, files={"images/a.png": png_bytes()})
    return project, secret


def _evil_layout(project: Path, template: str, name: str = "evil") -> Path:
    folder = project / "layouts" / name
    (folder / "templates" / "shared").mkdir(parents=True, exist_ok=True)
    (folder / "layout.yaml").write_text("extends: clinic\n", encoding="utf-8")
    (folder / DISCLAIMER).write_text("{# a shared disclaimer #}\n" + template + "\n",
                                     encoding="utf-8")
    return folder


def _render(project: Path, layout: str, fmt: str) -> bytes:
    loaded = load_project(project / "source")
    ctx = RenderContext(loaded.settings, load_layout(layout, project), loaded.source_dir,
                        loaded.titles())
    return get_renderer(fmt).render_leaflet(loaded.leaflets["one"], ctx)


# each is placed on line 2 of the evil layout's disclaimer; {secret} and {pwned} are paths
PAYLOADS = [
    "{{ leaflet.path.read_text() }}",
    "{{ leaflet.path.joinpath('{secret}').read_text() }}",
    "{{ leaflet.path.parent.joinpath('{pwned}').write_text('x') }}",
    "{{ leaflet.path.parent.iterdir()|list }}",
    "{{ leaflet.path.unlink() }}",
    "{{ open('{secret}').read() }}",
    "{{ (leaflet.blocks|last).asset.read_bytes() }}",
    "{{ (leaflet.blocks|last).asset.path.read_text() }}",
    "{{ meta.image.asset.path.parent.parent.joinpath('{secret}').read_text() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ meta.__class__.__init__.__globals__ }}",
    "{{ namespace(x=1) }}",
    "{{ cycler(1, 2).next() }}",
    "{{ joiner() }}",
    "{{ lipsum(1000) }}",
    "{{ self._TemplateReference__context }}",
    "{{ self.__init__.__globals__ }}",
    "{{ config.items() }}",
    "{{ sources[0].accessed.today() }}",
    "{{ sources[0].accessed.fromisoformat('2000-01-01') }}",
    "{{ sources[0].accessed.replace(year=1) }}",
    "{{ settings.copy() }}",
    "{{ settings.items.__self__ }}",
    "{{ target.link_href }}",
    "{{ target.image_src(meta.image) }}",
    "{{ slug.format_map(settings) }}",
    "{{ '{0.__class__}'.format(slug) }}",
    "{{ '{:>999999999}'.format(1) }}",
    "{{ 'x' * 10**10 }}",
    "{{ [1] * 10**9 }}",
    "{{ 9 ** 999999999 }}",
    "{{ '%0999999999d' % 1 }}",
    "{{ '%*d' % (999999999, 1) }}",
    "{{ 'x'|center(10**9) }}",
    "{{ 'x'|indent(10**9, true) }}",
    "{{ [1]|batch(10**9, 'x')|list }}",
    "{{ range(10**9)|list }}",
    ("{% macro d(s, n) %}{% if n %}{{ d(s ~ s, n - 1) }}{% else %}{{ s|length }}{% endif %}"
    "{% endmacro %}{{ d('x', 40) }}"),
    ("{% macro d(s, n) %}{% if n %}{{ d('%s%s' % (s, s), n - 1) }}{% else %}{{ s|length }}"
    "{% endif %}{% endmacro %}{{ d('x', 40) }}"),
    ("{% macro d(s, n) %}{% if n %}{{ d([s, s]|join, n - 1) }}{% else %}{{ s|length }}{% endif %}"
    "{% endmacro %}{{ d('x', 40) }}"),
    "{{ 'x'|replace('x', 'x' * 9999)|replace('x', 'x' * 9999)|replace('x', 'x' * 9999) }}",
    "{% for b in leaflet.blocks %}{{ b.asset.read_bytes() }}{% endfor %}",
    "{% set f = leaflet.path %}{{ f.read_bytes() }}",
    "{{ leaflet|attr('path') }}",
    "{% if %}broken",
    "{{ leaflet.blocks|map(attribute='asset')|map(attribute='path')|list }}",
    # the layouts' gettext (jinja2.ext.i18n): the only callables a template gets, bounded
    "{{ _('%0999999999s') }}",
    "{{ gettext('%(x)999999999s', x=1) }}",
    "{{ _('%(x)s' * 1000, x='y' * 99999) }}",
    "{{ ngettext('%(num)s', '%(num)0999999999d', 2) }}",
    "{{ ngettext('a', 'b', meta) }}",
    "{{ _.__globals__ }}",
    "{{ gettext.__closure__ }}",
    "{% trans x='y' * 99999 %}" + "{{ x }}" * 200 + "{% endtrans %}",
    "{{ _('%s', 1) }}",
    "{{ install_gettext_callables }}{{ _('a')|attr('__class__') }}",
]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return _project(tmp_path_factory.mktemp("hostile-layout"))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_template_payload_fails_its_output_at_the_template_line(
        hostile: tuple[Path, Path], payload: str) -> None:
    project, secret = hostile
    pwned = secret.parent / "pwned.txt"
    name = f"evil{PAYLOADS.index(payload)}"
    folder = _evil_layout(project, payload.replace("{secret}", str(secret))
                          .replace("{pwned}", str(pwned)), name)
    for fmt in ("html", "docx"):
        with pytest.raises(LeafletError) as caught:
            _render(project, name, fmt)
        shown = caught.value.diagnostic.display(project)
        assert shown.startswith(f"layouts/{name}/{DISCLAIMER}:2: "), (fmt, shown)
        assert SECRET not in shown
    assert not pwned.exists()
    assert (project / "source" / "one.md").exists()
    assert sorted(p.name for p in secret.parent.iterdir()) == ["secret.txt"]
    assert folder.is_dir()


def test_a_template_translates_its_words_through_the_catalogue(hostile: tuple[Path, Path]) -> None:
    """`_()`, `{% trans %}` and `ngettext` work in a layout, escape what they fill in, and a
    message with a bounded width still formats."""
    project, _ = hostile
    _evil_layout(project, (
        "<p class='t'>{{ _('About this leaflet') }}|{% trans n=meta.title %}Hi {{ n }}"
        "{% endtrans %}|{{ ngettext('%(num)d leaflet', '%(num)d leaflets', 3) }}|"
        "{{ _('%(x)s', x='<b>') }}|{{ _('%(x)5s', x='a') }}</p>"), "words")
    html = _render(project, "words", "html").decode()
    assert "<p class='t'>About this leaflet|Hi A test leaflet|3 leaflets|&lt;b&gt;|    a</p>" \
        in html


def test_plain_data_is_still_readable_by_templates(hostile: tuple[Path, Path]) -> None:
    """What a layout legitimately does (fields, loops, string methods, dates) keeps working."""
    project, _ = hostile
    _evil_layout(project, (
        "<p class='x'>{{ meta.title|upper }} {{ slug.split('-')|join('+') }} "
        "{% for s in sources %}{{ s.title.lower() }} {{ s.accessed.year }} "
        "{{ s.accessed|format_date }}{% endfor %} {{ settings.items()|length > 0 }} "
        "{% for i in range(3) %}{{ loop.index }}{{ loop.cycle('a', 'b') }}{% endfor %} "
        "{{ 'ab' * 3 }} {{ related|map(attribute='title')|join(',') }} {{ meta.is_draft }} "
        "{{ (leaflet.blocks|last).kind }} {{ (leaflet.blocks|last).src[:5] }}</p>"), "plain")
    html = _render(project, "plain", "html").decode()
    assert ("<p class='x'>A TEST LEAFLET one nhs 2026 2 January 2026 True "
            "1a2b3a ababab  True image data:</p>") in html


def test_a_hostile_layout_fails_end_to_end_without_a_traceback(tmp_path: Path) -> None:
    project, secret = _project(tmp_path)
    pwned = secret.parent / "pwned.txt"
    _evil_layout(project, (f"{{{{ leaflet.path.joinpath('{secret}').read_text() }}}}"
                           f"{{{{ leaflet.path.parent.joinpath('{pwned}').write_text('x') }}}}"))
    result = run_cli("build", "--layout", "evil", "--layout", "clinic", "--format", "html",
                     "--format", "docx", "--format", "epub", "--format", "pdf", cwd=project)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "please report" not in result.stderr
    assert f"layouts/evil/{DISCLAIMER}:2: layout 'evil': template error" in result.stderr
    assert SECRET not in result.stderr + result.stdout
    assert not pwned.exists()
    built = sorted(p.relative_to(project / "dist").as_posix()
                   for p in (project / "dist").rglob("*.*") if p.parent.name != "dist")
    assert "clinic/one.html" in built and not [p for p in built if p.startswith("evil/")]
    for path in (project / "dist").rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


# --- symbolic links in layouts (item 2) ---------------------------------------------------------


def test_a_symlinked_templates_folder_is_refused(tmp_path: Path) -> None:
    project, secret = _project(tmp_path)
    stolen = secret.parent / "templates" / "shared"
    stolen.mkdir(parents=True)
    (stolen / "disclaimer.html").write_text("{% include 'secret.txt' %}", encoding="utf-8")
    os.symlink(secret, secret.parent / "templates" / "secret.txt")
    folder = project / "layouts" / "evil"
    folder.mkdir(parents=True)
    (folder / "layout.yaml").write_text("extends: clinic\n", encoding="utf-8")
    (folder / "templates").symlink_to(secret.parent / "templates", target_is_directory=True)
    with pytest.raises(LeafletError) as caught:
        _render(project, "evil", "html")
    shown = caught.value.diagnostic.display(project)
    assert "symbolic link" in shown and "outside the layout" in shown, shown
    assert SECRET not in shown


@pytest.mark.parametrize("where", ["shared/disclaimer.html", "shared/deep/inner.html"])
def test_a_symlinked_template_at_any_depth_is_refused(tmp_path: Path, where: str) -> None:
    project, secret = _project(tmp_path)
    folder = _evil_layout(project, "{% include 'shared/deep/inner.html' %}")
    target = folder / "templates" / where
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    target.symlink_to(secret)
    with pytest.raises(LeafletError) as caught:
        _render(project, "evil", "html")
    shown = caught.value.diagnostic.display(project)
    assert f"layouts/evil/templates/{where}: template '{where}' is a symbolic link to" in shown
    assert SECRET not in shown


def test_a_symlink_in_an_extends_chain_is_refused(tmp_path: Path) -> None:
    project, secret = _project(tmp_path)
    base = _evil_layout(project, "base", "base")
    (base / DISCLAIMER).unlink()
    (base / DISCLAIMER).symlink_to(secret)
    top = project / "layouts" / "top"
    top.mkdir()
    (top / "layout.yaml").write_text("extends: base\n", encoding="utf-8")
    with pytest.raises(LeafletError) as caught:
        _render(project, "top", "html")
    assert "layouts/base/templates/shared/disclaimer.html: template 'shared/disclaimer.html' " \
        "is a symbolic link" in caught.value.diagnostic.display(project)


def test_a_symlinked_layout_yaml_is_refused(tmp_path: Path) -> None:
    project, secret = _project(tmp_path)
    folder = project / "layouts" / "evil"
    folder.mkdir(parents=True)
    (folder / "layout.yaml").symlink_to(secret)
    with pytest.raises(LeafletError) as caught:
        load_layout("evil", project)
    shown = caught.value.diagnostic.display(project)
    assert "layouts/evil/layout.yaml: layout.yaml is a symbolic link" in shown
    assert SECRET not in shown


@pytest.mark.parametrize("css", ["body { background: url(inner/x.png); }",
                                 '@font-face { font-family: X; src: url("inner/x.png"); }'])
def test_stylesheet_references_through_a_symlinked_folder_are_refused(
        tmp_path: Path, css: str) -> None:
    project, secret = _project(tmp_path)
    (secret.parent / "x.css").write_text(f'body::before {{ content: "{SECRET}"; }}',
                                         encoding="utf-8")
    (secret.parent / "x.png").write_bytes(png_bytes(5, 5) + SECRET.encode())
    folder = project / "layouts" / "evil"
    folder.mkdir(parents=True)
    (folder / "layout.yaml").write_text("extends: clinic\n", encoding="utf-8")
    (folder / "style.css").write_text(css + "\n", encoding="utf-8")
    (folder / "inner").symlink_to(secret.parent, target_is_directory=True)
    with pytest.raises(LeafletError) as caught:
        _render(project, "evil", "pdf")
    message = str(caught.value)
    # refused by the PDF's fetcher, or earlier, when the glyph check opens a layout's font
    assert "refused to read" in message or "leads outside the layout folder" in message
    assert SECRET not in message


# --- nothing remote, nothing private in the outputs (item 12) ------------------------------------

REMOTE = "https://tracker.example/p"
REMOTE_IN_TEMPLATES = [
    f'<img src="{REMOTE}.png" alt=""/>',
    f'<link rel="stylesheet" href="{REMOTE}.css"/>',
    f'<img src="x.png" srcset="x.png 1x, {REMOTE}.png 2x" alt=""/>',
    f'<p style="background: \\75rl({REMOTE}.png)">x</p>',
    f'<div style=\'background-image: image-set("{REMOTE}.png" 1x)\'>x</div>',
    f'<style>@import "{REMOTE}.css";</style>',
    "<style>@font-face { font-family: X; src: url(//tracker.example/f.woff); }</style>",
    f'<video poster="{REMOTE}.png"></video>',
    f'<meta http-equiv="refresh" content="0;url={REMOTE}"/>',
    "<script>fetch('x')</script>",
    '<iframe src="x.html"></iframe>',
    '<a href="javascript:alert(1)">x</a>',
    '<p onclick="x()">x</p>',
]


@pytest.mark.parametrize("markup", REMOTE_IN_TEMPLATES)
def test_a_remote_address_or_script_in_a_template_is_a_layout_error(
        hostile: tuple[Path, Path], markup: str) -> None:
    project, _ = hostile
    name = f"remote{REMOTE_IN_TEMPLATES.index(markup)}"
    _evil_layout(project, markup, name)
    for fmt in ("html", "epub", "pdf"):
        with pytest.raises(LeafletError) as caught:
            _render(project, name, fmt)
        shown = caught.value.diagnostic.display(project)
        assert shown.startswith(f"layouts/{name}/{DISCLAIMER}:2: "), (fmt, shown)


def test_a_remote_address_built_from_pieces_is_still_refused(hostile: tuple[Path, Path]) -> None:
    project, _ = hostile
    _evil_layout(project, "<img src=\"{{ 'htt' ~ 'ps://tracker.example/p.png' }}\" alt=\"\"/>",
                 "pieces")
    with pytest.raises(LeafletError) as caught:
        _render(project, "pieces", "html")
    assert "https://tracker.example/p.png" in caught.value.message
    assert caught.value.diagnostic.display(project).startswith("layouts/pieces: ")


@pytest.mark.parametrize(("css", "line"), [
    (f"body {{ color: red; }}\n.x {{ background: \\75rl({REMOTE}.png); }}\n", 2),
    (f'.x {{ background-image: image-set("{REMOTE}.png" 1x, "a.png" 2x); }}\n', 1),
    (f'/* shared */\n\n@import "{REMOTE}.css";\n', 3),
    (f"@font-face {{ font-family: X;\n  src: url('{REMOTE}.woff') format('woff'); }}\n", 2),
    (f".x {{ background: U\\52L({REMOTE}.png); }}\n", 1),
])
def test_remote_addresses_in_layout_css_are_refused_with_their_line(
        hostile: tuple[Path, Path], css: str, line: int) -> None:
    project, _ = hostile
    folder = project / "layouts" / f"css{line}{len(css)}"
    folder.mkdir(parents=True)
    (folder / "layout.yaml").write_text("extends: clinic\n", encoding="utf-8")
    (folder / "style.css").write_text(css, encoding="utf-8")
    for fmt in ("html", "epub"):
        with pytest.raises(LeafletError) as caught:
            _render(project, folder.name, fmt)
        assert caught.value.diagnostic.display(project).startswith(
            f"layouts/{folder.name}/style.css:{line}: stylesheet refers to"), fmt


def _system_font_family() -> str:
    """A font family installed on this machine that the package does not ship."""
    import subprocess

    from leaflet_builder.render.fonts import PACKAGED_FAMILIES
    from tests.helpers import require_tool

    fc_list = require_tool("fc-list")
    listed = subprocess.run([fc_list, ":", "family"], capture_output=True, text=True,
                            check=True).stdout.splitlines()
    families = sorted({name.split(",")[0].strip() for name in listed} - set(PACKAGED_FAMILIES)
                      - {""})
    if not families:
        pytest.skip("no system font is installed, so none could leak into a PDF")
    return "DejaVu Serif" if "DejaVu Serif" in families else families[0]


def test_a_system_font_named_by_a_layout_is_never_embedded(hostile: tuple[Path, Path]) -> None:
    import io

    import pikepdf

    from leaflet_builder.render.fonts import PACKAGED_FAMILIES

    project, _ = hostile
    family = _system_font_family()
    folder = project / "layouts" / "sysfont"
    folder.mkdir(parents=True)
    (folder / "layout.yaml").write_text("extends: clinic\n", encoding="utf-8")
    (folder / "style.css").write_text(
        f'body, h1, h2, p, li {{ font-family: "{family}", serif !important; }}\n'
        "code { font-family: monospace; }\n", encoding="utf-8")
    pdf = pikepdf.open(io.BytesIO(_render(project, "sysfont", "pdf")))
    names = {str(obj.get("/BaseFont")).split("+")[-1].lstrip("/") for obj in pdf.objects
             if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == pikepdf.Name.Font
             and "/BaseFont" in obj}
    packaged = tuple(name.replace(" ", "-") for name in PACKAGED_FAMILIES)
    assert names and all(name.startswith(packaged) for name in names), (family, names)


MARKERS = {
    "description": "EXIF-DESCRIPTION-7f3a", "comment": "JPEG-COMMENT-7f3a", "xmp": "XMP-7f3a",
    "text": "PNG-TEXT-7f3a", "itxt": "PNG-ITXT-7f3a", "ztxt": "PNG-ZTXT-7f3a",
    "trailer": "AFTER-IEND-7f3a", "make": "WARD-PHONE-7f3a",
}


def _photo_with_metadata() -> bytes:
    """A JPEG as a phone takes it: EXIF with a GPS position, XMP and a comment."""
    import io

    from PIL import Image

    image = Image.new("RGB", (40, 20), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010E] = MARKERS["description"]
    exif[0x010F] = MARKERS["make"]
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)})
    out = io.BytesIO()
    xmp = f'<x:xmpmeta xmlns:x="adobe:ns:meta/">{MARKERS["xmp"]}</x:xmpmeta>'.encode()
    image.save(out, "JPEG", exif=exif, comment=MARKERS["comment"], xmp=xmp)
    return out.getvalue()


def _png_with_metadata() -> bytes:
    import io

    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", MARKERS["text"])
    info.add_itxt("Description", MARKERS["itxt"])
    info.add_text("Location", MARKERS["ztxt"], zip=True)
    exif = Image.Exif()
    exif[0x010F] = MARKERS["make"]
    out = io.BytesIO()
    Image.new("RGB", (30, 30), (0, 94, 184)).save(out, "PNG", pnginfo=info, exif=exif)
    return out.getvalue() + MARKERS["trailer"].encode()


def _rotated_photo() -> bytes:
    """40x20 stored, red left half and blue right half, EXIF orientation 6 (turn 90° clockwise)."""
    import io

    from PIL import Image

    image = Image.new("RGB", (40, 20), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 20, 20))
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=95)
    return out.getvalue()


def _images_in(path: Path) -> list[bytes]:
    """Every picture an output holds, as its bytes (data URIs, ZIP members)."""
    import base64
    import re
    import zipfile

    data = path.read_bytes()
    if path.suffix == ".html":
        return [base64.b64decode(m) for m in
                re.findall(rb'src="data:image/(?:png|jpeg);base64,([^"]+)"', data)]
    if path.suffix in (".docx", ".epub"):
        with zipfile.ZipFile(path) as archive:
            return [archive.read(n) for n in archive.namelist()
                    if n.lower().endswith((".png", ".jpg", ".jpeg"))
                    and "cover" not in n.rsplit("/", 1)[-1]]
    return []


def test_image_metadata_never_reaches_an_output(tmp_path: Path) -> None:
    import io

    import pikepdf
    from PIL import Image

    project = tmp_path / "project"
    make_project(project, {"photo": leaflet_text(
        "## Where\n\n![A ward](images/ward.jpg)\n\n![A chart](images/chart.png)\n",
        image={"src": "images/ward.jpg", "alt": "Ward"})},
        booklets={"guide": {"title": "Guide", "leaflets": ["photo"],
                            "cover": {"src": "images/chart.png", "alt": "Chart"}}},
        files={"images/ward.jpg": _photo_with_metadata(),
               "images/chart.png": _png_with_metadata()})
    result = run_cli("build", cwd=project)
    assert result.returncode == 0, result.stderr
    site = project / "dist" / "site"
    outputs = [p for p in (project / "dist").rglob("*") if p.suffix in
               (".html", ".docx", ".epub", ".pdf") and not p.is_relative_to(site)]
    assert {p.suffix for p in outputs} == {".html", ".docx", ".epub", ".pdf"}
    # the web site: its pages link its pictures as files, each one checked below too
    pictures = sorted((site / "_assets" / "images").iterdir())
    assert len(pictures) >= 2
    outputs += [p for p in site.rglob("*") if p.suffix in (".docx", ".epub", ".pdf")]
    for path in outputs:
        blobs = [path.read_bytes()]
        if path.suffix == ".pdf":
            with pikepdf.open(path) as pdf:
                blobs += [obj.read_raw_bytes() for obj in pdf.objects
                          if isinstance(obj, pikepdf.Stream)]
        images = _images_in(path)
        assert path.suffix == ".pdf" or images, path
        for blob in blobs + images:
            for marker in MARKERS.values():
                assert marker.encode() not in blob, (path, marker)
        for data in images:
            with Image.open(io.BytesIO(data)) as image:
                assert not image.getexif(), path
                assert not image.getexif().get_ifd(0x8825), path
                leaked = set(image.info) & {"exif", "xmp", "comment", "Comment", "Description",
                                            "Location", "XML:com.adobe.xmp"}
                assert not leaked, (path, leaked)
                image.load()  # the pixels are whole
    for picture in pictures:  # the site's copies, and the smaller ones made for phones
        data = picture.read_bytes()
        for marker in MARKERS.values():
            assert marker.encode() not in data, (picture, marker)
        with Image.open(io.BytesIO(data)) as image:
            assert not image.getexif(), picture
            leaked = set(image.info) & {"exif", "xmp", "comment", "Comment", "Description",
                                        "Location", "XML:com.adobe.xmp"}
            assert not leaked, (picture, leaked)


def test_a_rotated_photo_is_turned_upright_before_its_exif_is_dropped(tmp_path: Path) -> None:
    import io

    import docx
    from PIL import Image

    project = tmp_path / "project"
    make_project(project, {"photo": leaflet_text("![A chart](images/turned.jpg)\n")},
                 files={"images/turned.jpg": _rotated_photo()})
    result = run_cli("build", "--format", "html", "--format", "docx", cwd=project)
    assert result.returncode == 0, result.stderr
    [data] = _images_in(project / "dist" / "clinic" / "photo.html")
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (20, 40)
        rgb = image.convert("RGB")
        top, bottom = rgb.getpixel((10, 5)), rgb.getpixel((10, 35))
    assert top[0] > 200 and top[2] < 60, top  # the red half is on top, as the phone showed it
    assert bottom[2] > 200 and bottom[0] < 60, bottom
    shape = docx.Document(str(project / "dist" / "clinic" / "photo.docx")).inline_shapes[0]
    assert shape.height > shape.width  # upright in Word too, not squashed into the old shape


@pytest.mark.parametrize("kind", ["JPEG", "progressive", "PNG", "PNG-P"])
def test_stripping_metadata_keeps_pixels_and_colour_profile(kind: str) -> None:
    import io

    from PIL import Image, ImageCms

    from leaflet_builder.source.image_meta import strip_metadata

    image = Image.radial_gradient("L").resize((64, 48)).convert("RGB")
    if kind == "PNG-P":
        image = image.convert("P")
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    exif = Image.Exif()
    exif[0x010E] = MARKERS["description"]
    out = io.BytesIO()
    if kind in ("JPEG", "progressive"):
        image.save(out, "JPEG", exif=exif, icc_profile=icc, comment=MARKERS["comment"],
                   progressive=kind == "progressive", quality=90)
    else:
        image.save(out, "PNG", exif=exif, icc_profile=icc, transparency=0 if kind == "PNG-P"
                   else None)
    original = out.getvalue() + MARKERS["trailer"].encode()
    stripped = strip_metadata(original)
    for marker in MARKERS.values():
        assert marker.encode() not in stripped
    with Image.open(io.BytesIO(original)) as before, Image.open(io.BytesIO(stripped)) as after:
        assert after.format == before.format and after.size == before.size
        assert after.info.get("icc_profile") == icc
        assert not after.getexif()
        assert after.tobytes() == before.tobytes()  # not re-encoded: the very same pixels
        if kind == "PNG-P":
            assert after.info.get("transparency") == 0
