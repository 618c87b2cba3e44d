"""The patient web site behind the QR code: `dist/site/`, a static site any host can serve.

Printed leaflets point at `<base_url>/<slug>`; this package makes that address real. It runs
after the other formats are written, because each leaflet page offers the very files the build
just made (copied beside the page, checked against the manifest's sha256). `pages` renders
every page from the layout's `templates/site/` with plain data; `publish` has the output
folder's one owner (build/outputs.OutputFolder) swap the finished folder into place in one
step, so a host never serves half a site.
"""

from __future__ import annotations

from leaflet_builder.render.formats import SITE as SITE_FORMAT  # said once there

SITE_DIR = "site"

__all__ = ["SITE_DIR", "SITE_FORMAT"]
