"""The only way a renderer may read a file: an allow-list of folders, no network, no escapes."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from leaflet_builder.errors import LeafletError
from leaflet_builder.source.image_meta import strip_metadata

MAX_FETCH_BYTES = 64 * 1024 * 1024  # fonts are the largest files read (a few MB)
# Source files are addressed under this fixed URL rather than their real path: WeasyPrint names
# image objects after their URL, and the PDF must not change with the folder a project is in.
VIRTUAL_SOURCE_PATH = "/leaflet-project/source/"
VIRTUAL_SOURCE_URL = "file://" + VIRTUAL_SOURCE_PATH


def source_url(relative: str) -> str:
    """The stable URL of a file inside `source/` (see VIRTUAL_SOURCE_PATH)."""
    from urllib.parse import quote

    return VIRTUAL_SOURCE_URL + quote(relative)


class ConfinedFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no types
    """A WeasyPrint URL fetcher that serves `file:` URLs inside the allowed folders only.

    WeasyPrint (since 66) documents subclassing `URLFetcher` and overriding `fetch` as the way to
    control resource loading; its built-in fetcher would open any `file:` path and any web
    address. Everything but `data:` and allowed files (http, https, ftp, files elsewhere, files
    reached through a symbolic link that leads out) is refused, so a hostile source, template or
    stylesheet (`url()`, `@import`, `@font-face`) can neither read `/etc/passwd` nor reach the
    network. Refusals are kept in `refused`; WeasyPrint itself only logs them.
    """

    def __init__(self, allowed: list[Path], allowed_files: list[Path] | None = None,
                 virtual_source: Path | None = None) -> None:
        # no redirects, no proxies in play: only `data:` ever reaches the parent's opener
        super().__init__(allowed_protocols=("data",), allow_redirects=False, timeout=1)
        self._roots = [root.resolve() for root in allowed]
        self._files = {path.resolve() for path in allowed_files or []}
        self._virtual_source = virtual_source.resolve() if virtual_source else None
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file" or parts.netloc not in ("", "localhost"):
            self._refuse(url, "only files inside the project are read; nothing is fetched "
                                     "from the network")
        path = self._real_path(unquote(parts.path)).resolve()  # follows links, folds `..`
        if not self.allows(path):
            self._refuse(url, "the file is outside the project")
        if not path.is_file():
            self._refuse(url, "no such file")
        with path.open("rb") as handle:
            data = handle.read(MAX_FETCH_BYTES + 1)
        if len(data) > MAX_FETCH_BYTES:
            self._refuse(url, "the file is too large")
        if self._virtual_source is not None and path.is_relative_to(self._virtual_source):
            # a source's picture, without EXIF, GPS or text. Not answered with its file: URL,
            # because WeasyPrint then embeds a JPEG by reading the file again from disk
            return URLFetcherResponse("leaflet-source:" + url, strip_metadata(data))
        return URLFetcherResponse(path.as_uri(), data)

    def _real_path(self, url_path: str) -> Path:
        """Map the stable virtual source URL back to the project's real `source/` folder."""
        if self._virtual_source is not None and url_path.startswith(VIRTUAL_SOURCE_PATH):
            return self._virtual_source.joinpath(url_path[len(VIRTUAL_SOURCE_PATH):])
        return Path(url_path)

    def allows(self, path: Path) -> bool:
        """True when the real `path` is an allowed file or inside an allowed folder."""
        real = path.resolve()
        return real in self._files or any(real.is_relative_to(root) for root in self._roots)

    def raise_if_refused(self, source: Path) -> None:
        """After rendering: report refused URLs as a content error of `source` (not a log line)."""
        if self.refused:
            shown = ", ".join(repr(url) for url in self.refused[:3])
            more = f" and {len(self.refused) - 3} more" if len(self.refused) > 3 else ""
            raise LeafletError(source, 0, f"refused to read {shown}{more}: only files inside the "
                                          "project are read and nothing is fetched from the "
                                          "network — use an image or layout file inside the project")

    def _refuse(self, url: str, why: str) -> NoReturn:
        self.refused.append(url)
        raise ValueError(f"refused {url!r}: {why}")
