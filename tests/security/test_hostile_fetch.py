"""The confined WeasyPrint fetcher, the sandboxed layout templates and the output path guard.

These are the last lines of defence behind the reader's checks, so they are tested directly
with input the reader would never let through.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from leaflet_builder.build.outputs import OutputFolder, output_path
from leaflet_builder.errors import LeafletError
from leaflet_builder.layouts import load_layout
from leaflet_builder.render.pdf.fetcher import ConfinedFetcher
from tests.helpers import png_bytes
from tests.security.test_hostile_build import SECRET, plant_secret, server  # noqa: F401 (fixture)


def test_weasyprint_reads_only_allowed_files_and_never_the_network(
        tmp_path: Path, server: tuple[str, list[str]]) -> None:  # noqa: F811
    import pikepdf
    from weasyprint import HTML

    base, requests = server
    secrets = plant_secret(tmp_path / "outside")
    allowed = tmp_path / "project" / "source"
    (allowed / "images").mkdir(parents=True)
    (allowed / "images" / "ok.png").write_bytes(png_bytes(30, 20))
    (allowed / "images" / "link.png").symlink_to(secrets["image"])
    page = f"""<html><head>
    <link rel="stylesheet" href="{base}/linked.css">
    <link rel="stylesheet" href="{secrets['css'].as_uri()}">
    <style>
      @import url({base}/imported.css);
      @import "{secrets['css'].as_uri()}";
      @font-face {{ font-family: Evil; src: url({base}/font.woff); }}
      body {{ background: u\\72l({secrets['image'].as_uri()}); font-family: Evil; }}
      p {{ background: url(../../outside/secret.png); }}
    </style></head><body>
    <p>Allowed: <img src="images/ok.png" alt="ok"></p>
    <img src="images/link.png" alt="symlink"><img src="{base}/remote.png" alt="remote">
    <img src="file://{secrets['image']}" alt="file"><img src="file://evil-host/etc/hosts" alt="unc">
    <object data="{secrets['text'].as_uri()}"></object>
    </body></html>"""
    fetcher = ConfinedFetcher([allowed])
    pdf = HTML(string=page, base_url=allowed.as_uri() + "/", url_fetcher=fetcher).write_pdf()

    assert requests == []
    assert SECRET.encode() not in pdf
    refused = "\n".join(fetcher.refused)
    for url in (f"{base}/linked.css", f"{base}/imported.css", f"{base}/font.woff",
                f"{base}/remote.png", secrets["css"].as_uri(), secrets["image"].as_uri(),
                "images/link.png", "outside/secret.png", "file://evil-host/etc/hosts"):
        assert url in refused, url
    # the control: the allowed image really is in the PDF, so the refusals are not a blanket no
    import io

    with pikepdf.open(io.BytesIO(pdf)) as document:
        images = [img for page_ in document.pages for img in page_.get_images().values()]
        assert [(int(i.Width), int(i.Height)) for i in images] == [(30, 20)]
        streams = b"".join(obj.read_bytes() for obj in document.objects
                           if isinstance(obj, pikepdf.Stream))
        assert SECRET.encode() not in streams
    with pytest.raises(LeafletError, match="refused to read .* nothing is fetched"):
        fetcher.raise_if_refused(allowed / "x.md")


def test_layout_templates_are_sandboxed_and_confined(tmp_path: Path) -> None:
    secrets = plant_secret(tmp_path / "outside")
    folder = tmp_path / "layouts" / "shared-team"
    (folder / "templates" / "shared").mkdir(parents=True)
    (folder / "layout.yaml").write_text("extends: clinic\n", encoding="utf-8")
    (folder / "templates" / "shared" / "about.html").write_text(
        "{{ ''.__class__.__mro__[1].__subclasses__() }}", encoding="utf-8")
    (folder / "templates" / "shared" / "draft.html").write_text(
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}", encoding="utf-8")
    (folder / "templates" / "shared" / "title.html").symlink_to(secrets["text"])
    env = load_layout("shared-team", tmp_path).env

    with pytest.raises(jinja2.exceptions.SecurityError):
        env.get_template("shared/about.html").render()
    with pytest.raises(jinja2.exceptions.SecurityError):
        env.get_template("shared/draft.html").render()
    with pytest.raises(jinja2.TemplateNotFound, match="outside the layout"):
        env.get_template("shared/title.html")
    # the built-in templates still come through the same loader
    assert env.get_template("shared/disclaimer.html") is not None


def test_output_paths_stay_inside_out(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    assert output_path(out, "clinic/fever.pdf") == out / "clinic" / "fever.pdf"
    for bad in ("../x.pdf", "clinic/../../x.pdf", "/etc/x.pdf", "clinic\\..\\x.pdf", "",
                "clinic/.hidden", "clinic/x.pdf/.."):
        with pytest.raises(LeafletError, match="would leave the output folder"):
            output_path(out, bad)
    (tmp_path / "elsewhere").mkdir()
    out.mkdir()
    (out / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with pytest.raises(LeafletError, match="leads outside"):
        output_path(out, "linked/fever.pdf")


def test_only_files_the_build_wrote_are_replaced_or_deleted(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    (out / "clinic").mkdir(parents=True)
    (out / "clinic" / "ours.pdf").write_bytes(b"old output")
    (out / "clinic" / "theirs.pdf").write_bytes(b"the user's own file")
    owned: dict[str, dict[str, object]] = {"clinic/ours.pdf": {"kind": "leaflet"}}
    folder = OutputFolder(out, previous=owned)
    assert folder.claim("clinic/ours.pdf") == out / "clinic" / "ours.pdf"
    assert folder.claim("clinic/new.pdf") == out / "clinic" / "new.pdf"
    with pytest.raises(LeafletError, match="was not written by `leaflet build`"):
        folder.claim("clinic/theirs.pdf")
    # deleting: settle() removes the earlier outputs no document wants any more
    folder = OutputFolder(out, previous={**owned, "../dist/clinic/ours.pdf": {"kind": "leaflet"}})
    assert folder.settle(lambda entry: False) == ["clinic/ours.pdf"]
    assert not (out / "clinic" / "ours.pdf").exists()
    assert (out / "clinic" / "theirs.pdf").read_bytes() == b"the user's own file"
    (out / "clinic" / "ours.pdf").write_bytes(b"old output")
    escaping = OutputFolder(out, previous={"../dist/clinic/ours.pdf": {"kind": "leaflet"}})
    assert escaping.settle(lambda entry: False) == []
    assert (out / "clinic" / "ours.pdf").exists()
