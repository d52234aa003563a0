"""A local stand-in for GitHub Pages: serves a built site on 127.0.0.1 with text
gzipped and a 10-minute cache lifetime, as Pages does, so the post's weight and
its Lighthouse scores are those of the deployed site, not of a bare file server."""
from __future__ import annotations

import contextlib
import functools
import gzip
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

COMPRESSIBLE = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".map", ".webmanifest"}


class PagesHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()

    def do_GET(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        if (path.suffix not in COMPRESSIBLE or not path.is_file()
                or "gzip" not in self.headers.get("Accept-Encoding", "")):
            return super().do_GET()
        body = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextlib.contextmanager
def serving(directories: dict[str, Path]):
    """Serve each named directory on its own free port of 127.0.0.1; yields
    {name: base URL}. Start it before building, so the build can know its URL."""
    servers = {}
    try:
        for name, directory in directories.items():
            handler = functools.partial(PagesHandler, directory=str(directory))
            server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            servers[name] = server
        yield {name: f"http://127.0.0.1:{s.server_address[1]}/" for name, s in servers.items()}
    finally:
        for server in servers.values():
            server.shutdown()
            server.server_close()
