"""`leaflet serve`: the web site as authors write it — built, served on this machine, rebuilt on
every save, and the open page reloaded by itself.

Served from `dist/site/` only (the standard library's path handling drops `..`), on the loopback
address unless asked otherwise, and only to requests whose Host header names that address: a
web page elsewhere cannot reach it by pointing a DNS name at 127.0.0.1 (DNS rebinding), as the
Vite and webpack dev servers guard. The page learns of rebuilds through server-sent events (the
browser's EventSource: no library on either side); a build with errors shows them over the last
good page, and the next good build reloads it.
"""

from __future__ import annotations

import http.server
import json
import threading
from functools import partial
from pathlib import Path
from typing import Any

from leaflet_builder.build.options import BuildOptions, BuildResult
from leaflet_builder.build.report import Verbosity
from leaflet_builder.render.site import SITE_DIR

EVENTS = "/_leaflet/events"
LOOPBACK = ("127.0.0.1", "localhost", "[::1]", "::1")
# added to every HTML page served (never to the built files): reload on a good build, show the
# errors of a bad one over the page the author is looking at
RELOAD_SCRIPT = """<script>(function () {
  var seen = null, box = null;
  var source = new EventSource("%s");
  source.onmessage = function (event) {
    var state = JSON.parse(event.data);
    if (state.errors.length) {
      if (!box) {
        box = document.createElement("div");
        box.setAttribute("role", "alert");
        box.id = "leaflet-serve-errors";
        box.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;" +
          "background:#fff4f4;color:#1a1a1a;border-top:6px solid #b00020;padding:1rem;" +
          "font:16px/1.4 monospace;white-space:pre-wrap;z-index:1000";
        document.body.appendChild(box);
      }
      box.textContent = "The last save has errors; this is the last good page.\\n\\n" +
        state.errors.join("\\n");
    } else if (seen !== null && state.build !== seen) {
      location.reload();
    } else if (box) {
      box.remove(); box = null;
    }
    seen = state.build;
  };
})();</script>"""


class BuildState:
    """The number and errors of the last build, and a way to wait for the next one."""

    def __init__(self) -> None:
        self.build = 0
        self.errors: list[str] = []
        self.changed = threading.Condition()

    def update(self, result: BuildResult) -> None:
        with self.changed:
            self.build += 1
            self.errors = [d.display() for d in result.diagnostics if d.level == "error"]
            self.changed.notify_all()

    def next_message(self, seen: int, timeout: float = 15) -> tuple[bytes, int]:
        """The state once build `seen` is no longer the last; a keep-alive comment after
        `timeout` seconds without a build (so a closed page is noticed)."""
        with self.changed:
            self.changed.wait_for(lambda: self.build != seen, timeout=timeout)
            if self.build == seen:
                return b": still here\n\n", seen
            return self.message(), self.build

    def message(self) -> bytes:
        data = json.dumps({"build": self.build, "errors": self.errors}, ensure_ascii=False)
        return f"data: {data}\n\n".encode()


class PreviewHandler(http.server.SimpleHTTPRequestHandler):
    """Static files of the site, the reload script in HTML, the event stream; loopback only."""

    state: BuildState
    port: int

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the terminal shows builds, not every request

    def _host_allowed(self) -> bool:
        host = (self.headers.get("Host") or "").strip().lower()
        return host in {f"{name}:{self.port}" for name in LOOPBACK}

    def do_HEAD(self) -> None:
        if not self._host_allowed():
            self.send_error(403, "Host not allowed")
            return
        super().do_HEAD()

    def do_GET(self) -> None:
        if not self._host_allowed():
            self.send_error(403, f"Host not allowed: open http://127.0.0.1:{self.port}/")
            return
        route = self.path.split("?", 1)[0].split("#", 1)[0]
        if route == EVENTS:
            self._events()
            return
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not route.endswith("/"):
                super().do_GET()  # the folder redirect a static host makes
                return
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            self._send_page(path, 200)
        elif not path.exists():
            missing = Path(self.directory) / "404.html"
            if missing.is_file():
                self._send_page(missing, 404)
            else:
                self.send_error(404)
        else:
            super().do_GET()

    def _send_page(self, path: Path, status: int) -> None:
        text = path.read_text(encoding="utf-8")
        script = RELOAD_SCRIPT % EVENTS
        text = text.replace("</body>", script + "</body>", 1) if "</body>" in text else \
            text + script
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def _events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        state = self.state
        try:
            with state.changed:
                seen = state.build
                self.wfile.write(state.message())
            self.wfile.flush()
            while True:
                message, seen = state.next_message(seen)
                self.wfile.write(message)
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return


def make_server(site_dir: Path, host: str, port: int, state: BuildState
                ) -> http.server.ThreadingHTTPServer:
    handler = partial(PreviewHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    PreviewHandler.state = state
    PreviewHandler.port = server.server_address[1]
    return server


def serve(options: BuildOptions, host: str, port: int, verbosity: Verbosity = "normal",
          stop_event: threading.Event | None = None) -> None:
    """Build, serve `out/site/` on host:port, and rebuild on every save until stopped."""
    from leaflet_builder.watch import watch_and_build

    state = BuildState()
    site_dir = options.out_dir / SITE_DIR
    site_dir.mkdir(parents=True, exist_ok=True)
    server = make_server(site_dir, host, port, state)
    print(f"serving {site_dir} at http://{'127.0.0.1' if host in LOOPBACK else host}:"
          f"{server.server_address[1]}/ (Ctrl-C stops)", flush=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        watch_and_build(options, verbosity, stop_event=stop_event, on_build=state.update)
    finally:
        server.shutdown()
        server.server_close()
