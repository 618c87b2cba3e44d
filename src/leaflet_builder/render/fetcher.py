"""The only way a renderer may read a file: an allow-list of folders, no network, no escapes."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse


class ConfinedFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves `file:` URLs inside the allowed folders only.

    Everything else (http, https, ftp, data outside images, files elsewhere) is refused, so a
    hostile source or template cannot read `/etc/passwd` or reach the network.
    """

    def __init__(self, allowed: list[Path], allowed_files: list[Path] | None = None) -> None:
        super().__init__(allowed_protocols=("file", "data"))
        self._roots = [root.resolve() for root in allowed]
        self._files = {path.resolve() for path in allowed_files or []}
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            self.refused.append(url)
            raise ValueError(f"refused to fetch {url!r}: only files inside the project are read")
        path = Path(unquote(urlsplit(url).path)).resolve()
        if path not in self._files and not any(path.is_relative_to(root) for root in self._roots):
            self.refused.append(url)
            raise ValueError(f"refused to read {path}: outside the project")
        return URLFetcherResponse(url, path.read_bytes())
