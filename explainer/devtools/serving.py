"""A static server like GitHub Pages, on 127.0.0.1: for the browser tests, the audit and the bench.

Text types are gzip-compressed, `Cache-Control: max-age=600`, a folder without its trailing
slash is redirected, and a missing path gets the site's own 404.html with status 404. Every
response is recorded, so a test can add up what a page cost.
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import mimetypes
import posixpath
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

# What GitHub Pages compresses: text, SVG, JSON, JavaScript, XML.
COMPRESSIBLE = (
    "text/",
    "image/svg+xml",
    "application/json",
    "application/javascript",
    "application/xml",
    "application/manifest+json",
    "application/yaml",
)
TYPES = {
    ".svg": "image/svg+xml",
    ".js": "application/javascript",
    ".mjs": "application/javascript",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".csv": "text/csv",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
    ".xml": "application/xml",
    ".md": "text/markdown",
    ".ipynb": "application/json",
    ".gz": "application/gzip",
    ".woff2": "font/woff2",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
_CHARSET = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/xml")


@dataclass
class Hit:
    path: str
    status: int
    sent: int  # body bytes on the wire (compressed when gzipped)
    raw: int  # body bytes before compression
    gzipped: bool


@dataclass
class SiteServer:
    root: Path
    origin: str = ""
    hits: list[Hit] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str = "") -> str:
        return f"{self.origin}/{path.lstrip('/')}"

    def record(self, hit: Hit) -> None:
        with self.lock:
            self.hits.append(hit)

    def reset(self) -> None:
        with self.lock:
            self.hits.clear()

    def mark(self) -> int:
        with self.lock:
            return len(self.hits)

    def since(self, mark: int = 0) -> list[Hit]:
        with self.lock:
            return list(self.hits[mark:])


def content_type(path: Path) -> str:
    t = TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return t + "; charset=utf-8" if t.startswith(_CHARSET) else t


def rebase_sitemap(body: bytes, origin: str) -> bytes:
    """The sitemap under this server's origin, as if the site had been deployed here.

    The build names its pages by site_url, and Material's instant navigation only intercepts
    links to pages listed in the sitemap, matching scheme, host and port: served on another
    port, every click would be a full page load.
    """
    locs = re.findall(rb"<loc>([^<]+)</loc>", body)
    if not locs:
        return body
    base = min(locs, key=len)
    base = base[: base.rfind(b"/") + 1]
    return body.replace(b"<loc>" + base, b"<loc>" + origin.encode() + b"/")


_GZ_CACHE: dict[bytes, bytes] = {}


def _gzipped(target: Path, body: bytes) -> bytes:
    key = hashlib.sha1(body).digest()
    if key not in _GZ_CACHE:
        _GZ_CACHE[key] = gzip.compress(body, compresslevel=6, mtime=0)
    return _GZ_CACHE[key]


class _Handler(BaseHTTPRequestHandler):
    srv: SiteServer  # set by _handler()
    protocol_version = "HTTP/1.1"
    server_version = "site-server"

    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):
        self._send(head_only=False)

    def do_HEAD(self):
        self._send(head_only=True)

    def _resolve(self) -> tuple[int, Path | None, str | None]:
        url = urlsplit(self.path)
        root = self.srv.root.resolve()
        rel = posixpath.normpath(unquote(url.path)).lstrip("/")
        target = (root / ("" if rel == "." else rel)).resolve()
        if root != target and root not in target.parents:
            return 404, None, None
        if target.is_dir():
            if not url.path.endswith("/"):
                return 301, None, url.path + "/" + (f"?{url.query}" if url.query else "")
            target = target / "index.html"
        return (200, target, None) if target.is_file() else (404, None, None)

    def _send(self, head_only: bool) -> None:
        status, target, location = self._resolve()
        if status == 301:
            self._redirect(location)
            return
        if target is None:
            target = self.srv.root / "404.html"
        body = target.read_bytes() if target.is_file() else b"Not found"
        ctype = content_type(target)
        if target.name == "sitemap.xml":
            body = rebase_sitemap(body, self.srv.origin)
        raw = len(body)
        gz = "gzip" in (self.headers.get("Accept-Encoding") or "") and ctype.startswith(COMPRESSIBLE) and raw > 0
        if gz:
            body = _gzipped(target, body)
        self._headers(status, ctype, body, gz, target if status == 200 else None)
        if not head_only:
            self.wfile.write(body)
        self.srv.record(Hit(urlsplit(self.path).path, status, 0 if head_only else len(body), raw, gz))

    def _redirect(self, location: str) -> None:
        self.send_response(301)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.srv.record(Hit(urlsplit(self.path).path, 301, 0, 0, False))

    def _headers(self, status: int, ctype: str, body: bytes, gz: bool, found: Path | None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.send_header("Vary", "Accept-Encoding")
        if gz:
            self.send_header("Content-Encoding", "gzip")
        if found is not None:
            self.send_header("Last-Modified", email.utils.formatdate(found.stat().st_mtime, usegmt=True))
            self.send_header("ETag", '"' + hashlib.sha1(body).hexdigest()[:16] + '"')
        self.end_headers()


def _handler(srv: SiteServer) -> type[_Handler]:
    return type("Handler", (_Handler,), {"srv": srv})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # A browser dropping a connection it no longer needs is normal; anything else is not.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serve(site: Path) -> Iterator[SiteServer]:
    """Serve `site` on 127.0.0.1 at a free port for the duration of the block."""
    srv = SiteServer(Path(site))
    httpd = _Server(("127.0.0.1", 0), _handler(srv))
    srv.origin = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def site_pages(site: Path) -> list[str]:
    """Every page: the URL path (relative to the site root) of each index.html, home first."""
    out = []
    for p in sorted(Path(site).rglob("index.html")):
        rel = p.parent.relative_to(site).as_posix()
        out.append("" if rel == "." else rel + "/")
    return sorted(out, key=lambda u: (u != "", u))
