"""Proof that a refactoring changed no output: build the same projects at two git refs, compare.

    python benchmarks/same_outputs.py main build-pkg
    python benchmarks/same_outputs.py main HEAD --keep      # leave the temporary folder

Each ref is checked out into a temporary `git worktree` and run from its own `src/` (so the
installed package is never what is measured). With `SOURCE_DATE_EPOCH` fixed, each builds
(a) the shipped project (`source/` and `layouts/` of that ref, every format, the site included),
(b) a generated project with a picture and an Arabic leaflet beside an English one, and a
    booklet of both (the same files for both refs),
(c) the shipped project again with `--approved-only` (the published web site, no drafts).
Then the sha256 of every file under each dist/ is compared (the no-op record without its
digest of absolute paths, see comparable_bytes; the site's fingerprints in the manifest apart,
see FINGERPRINTS); differences (a file on one side
only, or different bytes) are printed and the exit status is 1. Exit 0: byte-identical.

A refactoring that is meant to change nothing must pass this; a benchmark, not a test, because
it builds everything twice (a few minutes on two CPUs).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
NOOP_RECORD = ".leaflet-build-noop.json"
# the web site's entries in the manifest carry its input fingerprint, which hashes the code of
# render/site/ itself (so new site code rebuilds the site once): a change to that code changes
# it without changing a byte of the site. Shown as a note, not counted as a difference.
FINGERPRINTS = "manifest.json: the site's input fingerprints"
EXIT_STATUS = "(exit status)"  # compared too: a build that fails on one side is a difference
EPOCH = "1767225600"  # 2026-01-01T00:00:00Z: any fixed instant will do, the same for both refs


def _leaflet(body: str, **front: object) -> str:
    return ("---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n"
            + textwrap.dedent(body))


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 40), (0, 94, 184)).save(buffer, "PNG")
    return buffer.getvalue()


def write_generated_project(root: Path) -> None:
    """A small project that reaches the image and right-to-left paths the shipped one lacks."""
    source = root / "source"
    (source / "images").mkdir(parents=True)
    (source / "booklets").mkdir()
    (source / "images" / "clinic.png").write_bytes(_png())
    (source / "project.yaml").write_text(yaml.safe_dump({
        "organisation": "Same Outputs Cancer Centre", "language": "en-GB",
        "contact": "Nurse line 0100 000 0000", "base_url": "https://example.org/leaflets",
    }), encoding="utf-8")
    (source / "treatment.md").write_text(_leaflet(
        """
        ## What happens

        You come to the clinic once a week.

        ![The day unit, seen from its front door](images/clinic.png)

        - Bring your medicines.
        - Bring a snack.

        ::: warning Call us
        Call straight away if you have a fever.
        :::
        """, title="Your treatment", summary="What happens on the day unit.",
        status="approved", reviewed="2026-01-10", reviewer="A Nurse",
        image={"src": "images/clinic.png", "alt": "The day unit"},
        related=["treatment-ar"]), encoding="utf-8")
    (source / "treatment-ar.md").write_text(_leaflet(
        """
        ## ماذا يحدث

        تأتي إلى العيادة مرة كل أسبوع.

        - أحضر أدويتك.
        - اتصل بنا إذا كانت لديك حمى.
        """, title="علاجك", summary="ما يحدث في وحدة العلاج النهاري.", language="ar",
        status="draft"), encoding="utf-8")
    (source / "booklets" / "guide.yaml").write_text(yaml.safe_dump(
        {"title": "A guide", "leaflets": ["treatment", "treatment-ar"]}, allow_unicode=True),
        encoding="utf-8")


def add_worktree(ref: str, where: Path) -> Path:
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "--quiet",
                    str(where), ref], check=True)
    return where


def build(code: Path, project: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(code / "src"), "SOURCE_DATE_EPOCH": EPOCH,
           "PYTHONHASHSEED": "0"}
    return subprocess.run([sys.executable, "-m", "leaflet_builder.cli", "build", "--quiet",
                           "--out", str(out), *extra], cwd=project, env=env, text=True,
                          capture_output=True, check=False)


def comparable_bytes(path: Path, code: Path) -> bytes:
    """The file's bytes; for the no-op record, without what only says where the ref lives.

    The no-op record (build/noop.py) holds the absolute paths of the layout folders used, which
    are inside each ref's temporary worktree, and a digest over them: its digest is left out
    and those paths made relative, so the rest of it (the outputs and messages it replays) is
    still compared.
    """
    data = path.read_bytes()
    if path.name != NOOP_RECORD:
        return data
    record = json.loads(data)
    record.pop("digest", None)
    return json.dumps(record, sort_keys=True).replace(str(code), "<ref>").encode("utf-8")


def hashes(folder: Path, code: Path) -> dict[str, str]:
    found = {path.relative_to(folder).as_posix():
             hashlib.sha256(comparable_bytes(path, code)).hexdigest()
             for path in sorted(folder.rglob("*")) if path.is_file()}
    manifest = folder / "manifest.json"
    if manifest.is_file():  # compared twice: the entries without `inputs`, and those alone
        outputs = json.loads(manifest.read_bytes())["outputs"]
        fingerprints = [entry.pop("inputs", None) for entry in outputs]
        found["manifest.json"] = _sha256(json.dumps(outputs, sort_keys=True))
        found[FINGERPRINTS] = _sha256(json.dumps(fingerprints))
    return found


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def compare(name: str, left: dict[str, str], right: dict[str, str]) -> list[str]:
    differences = []
    for path in sorted(left.keys() | right.keys()):
        if path not in right:
            differences.append(f"{name}: {path}: only in the first")
        elif path not in left:
            differences.append(f"{name}: {path}: only in the second")
        elif left[path] != right[path]:
            differences.append(f"{name}: {path}: different bytes")
    return differences


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first")
    parser.add_argument("second")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    temp = Path(tempfile.mkdtemp(prefix="same-outputs-"))
    worktrees: list[Path] = []
    try:
        generated = temp / "generated"
        write_generated_project(generated)
        results: dict[str, list[dict[str, str]]] = {}
        for side, ref in enumerate((args.first, args.second)):
            code = add_worktree(ref, temp / f"ref{side}")
            worktrees.append(code)
            runs = {"shipped": (code, ()), "generated": (generated, ()),
                    "approved-only": (code, ("--approved-only",))}
            for name, (project, extra) in runs.items():
                out = temp / f"dist-{side}-{name}"
                done = build(code, project, out, *extra)
                print(f"{ref}: {name}: exit {done.returncode}, "
                      f"{sum(1 for p in out.rglob('*') if p.is_file())} files")
                if done.returncode not in (0, 1):  # 1: a leaflet failed, itself an output
                    print(done.stdout + done.stderr)
                results.setdefault(name, []).append(
                    {**hashes(out, code), EXIT_STATUS: str(done.returncode)})
        found = [line for name, (left, right) in results.items()
                 for line in compare(name, left, right)]
        differences = [line for line in found if FINGERPRINTS not in line]
        for line in found:
            print(line if line in differences else f"note: {line} (render/site/ code changed)")
        total = sum(1 for left, _ in results.values() for key in left  # files, not the notes
                    if key not in (FINGERPRINTS, EXIT_STATUS))
        print(f"{len(differences)} differences in {total} files" if differences
              else f"no differences: {total} files byte-identical")
        return 1 if differences else 0
    finally:
        for code in worktrees:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(code)],
                           check=False)
        if args.keep:
            print(f"kept {temp}")
        else:
            shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
