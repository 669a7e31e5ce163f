"""Shared pieces of the browser tests (test_browser.py, test_accessibility.py).

- `server`: the session's real build (the `site` fixture) served from 127.0.0.1 on a free port
  by a threaded static server that, like GitHub Pages, gzips text responses when the request
  accepts gzip, and records what it sent (path and body bytes as transferred) so tests can
  measure page weight on the server side.
- `browser`: Debian's Chromium driven by Playwright, one per session (never a browser download).
- `open_page`: a fresh context and page that records every request, console error and page error.

Test modules load this file as a plugin (`pytest_plugins = ["browser_support"]`) so that the
session-scoped server and browser are created once for both modules.
"""
from __future__ import annotations

import gzip
import mimetypes
import os
import re
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError

from conftest import ROOT, html_pages

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 800}
AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
VEGA_BUNDLE = "assets/vendor/vega-bundle.js"

# The marks a reader can hover for a tooltip, in any chart type the site draws.
# Vega gives the groups of data marks the class role-mark (axes, legends and titles get others).
# Point-like marks first: they are where charts put their tooltips; lines and labels last.
MARK_GROUPS = [f".chart__live svg g.role-mark.mark-{m} > path" for m in ("symbol", "rect", "arc", "area")] + \
    [".chart__live svg g.role-mark > path", ".chart__live svg g.role-mark > line", ".chart__live svg g.role-mark > text"]
MARKS = ", ".join(MARK_GROUPS)

GZIP_TYPES = ("text/", "application/javascript", "application/json", "application/xml",
              "image/svg+xml", "application/manifest+json")


# --- the static server ------------------------------------------------------------------------

@dataclass
class Sent:
    path: str
    status: int
    body_bytes: int
    gzipped: bool


@dataclass
class SiteServer:
    root: Path
    httpd: ThreadingHTTPServer
    sent: list[Sent] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def origin(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str = "") -> str:
        return f"{self.origin}/{path.lstrip('/')}"

    def reset(self) -> None:
        with self.lock:
            self.sent.clear()

    def snapshot(self) -> list[Sent]:
        with self.lock:
            return list(self.sent)


def rebase_sitemap(body: bytes, origin: str) -> bytes:
    """The sitemap under this server's origin, as if the site had been deployed here.

    The build names its pages by site_url (http://127.0.0.1:8000/ unless SITE_URL is set), and
    Material's instant navigation only intercepts links to pages listed in the sitemap, matching
    scheme, host and port: served on another port, every click would be a full page load.
    """
    locs = re.findall(rb"<loc>([^<]+)</loc>", body)
    if not locs:
        return body
    base = min(locs, key=len)
    base = base[: base.rfind(b"/") + 1]
    return body.replace(b"<loc>" + base, b"<loc>" + origin.encode() + b"/")


def make_handler(server_ref: dict):
    class Handler(SimpleHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        _gz_cache: dict[Path, bytes] = {}

        def log_message(self, format, *args):  # quiet
            pass

        def do_HEAD(self):
            self.respond(head=True)

        def do_GET(self):
            self.respond(head=False)

        def resolve(self) -> Path | None:
            root: Path = server_ref["server"].root
            rel = unquote(urlsplit(self.path).path).lstrip("/")
            target = (root / rel).resolve()
            if root.resolve() not in (target, *target.parents):
                return None
            if target.is_dir():
                if not self.path.split("?")[0].endswith("/"):
                    return target  # redirect below
                target = target / "index.html"
            return target if target.is_file() else None

        def respond(self, head: bool) -> None:
            srv: SiteServer = server_ref["server"]
            target = self.resolve()
            status = HTTPStatus.OK
            if target is not None and target.is_dir():
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", urlsplit(self.path).path + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if target is None:  # like GitHub Pages: the site's own 404 page, with status 404
                status, target = HTTPStatus.NOT_FOUND, srv.root / "404.html"
            ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            if ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
                ctype += "; charset=utf-8"
            body = target.read_bytes()
            if target.name == "sitemap.xml":
                body = rebase_sitemap(body, srv.origin)
            gz = "gzip" in self.headers.get("Accept-Encoding", "") and ctype.startswith(GZIP_TYPES)
            if gz:
                cached = self._gz_cache.get(target)
                if cached is None:
                    cached = self._gz_cache[target] = gzip.compress(body, compresslevel=6, mtime=0)
                body = cached
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "max-age=600")
            if gz:
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Vary", "Accept-Encoding")
            self.end_headers()
            if not head:
                self.wfile.write(body)
            with srv.lock:
                srv.sent.append(Sent(urlsplit(self.path).path, int(status), 0 if head else len(body), gz))

    return Handler


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A browser dropping a connection it no longer needs is normal; anything else is not.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture(scope="session")
def server(site: Path) -> Iterator[SiteServer]:
    ref: dict = {}
    httpd = QuietServer(("127.0.0.1", 0), make_handler(ref))
    srv = SiteServer(site, httpd)
    ref["server"] = srv
    thread = threading.Thread(target=httpd.serve_forever, name="site-server", daemon=True)
    thread.start()
    yield srv
    httpd.shutdown()
    httpd.server_close()


# --- the pages ----------------------------------------------------------------------------------

def _source_pages() -> list[str]:
    """The pages the build makes, from docs/ (known at collection, before the session build)."""
    docs = ROOT / "docs"
    out = [f"{p.stem}/" for p in docs.glob("*.md") if p.stem != "index"]
    out += [f"{p.stem}/" for p in docs.glob("*.py")]   # notebooks (mkdocs-jupyter)
    return sorted(["", "404.html", *out])


PAGES = _source_pages()   # "" is the home page; test_browser checks this against the build


def page_paths(site: Path, with_404: bool = True) -> list[str]:
    """Every page of the build as a URL path: "" for the home page, "x/" for x/index.html."""
    out = []
    for p in html_pages(site):
        rel = p.relative_to(site).as_posix()
        if rel.endswith("index.html"):
            out.append(rel[: -len("index.html")])
        elif rel == "404.html" and with_404:
            out.append(rel)
    return sorted(out)


def chart_pages(site: Path) -> list[str]:
    return [p for p in page_paths(site, with_404=False)
            if 'class="chart"' in (site / p / "index.html").read_text(encoding="utf-8")]


# --- the browser ----------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: run make chromium (Debian's package, through apt)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class Recorder:
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)   # main-frame document loads (full page loads)

    def off_site(self, origin: str) -> list[str]:
        return [u for u in self.requests
                if not (u.startswith(origin + "/") or u == origin or u.startswith(("data:", "blob:")))]

    def problems(self) -> list[str]:
        return [f"console error: {m}" for m in self.console_errors] + \
               [f"page error: {m}" for m in self.page_errors]


@contextmanager
def open_page(browser, *, javascript: bool = True, color_scheme: str = "light", **ctx):
    """A fresh context (empty cache and storage) and page, with a Recorder attached."""
    context = browser.new_context(viewport=ctx.pop("viewport", VIEWPORT), java_script_enabled=javascript,
                                  color_scheme=color_scheme, service_workers="block", **ctx)
    page = context.new_page()
    rec = Recorder()
    def on_request(r):
        rec.requests.append(r.url)
        if r.resource_type == "document" and r.frame == page.main_frame:
            rec.documents.append(r.url)

    page.on("request", on_request)
    page.on("console", lambda m: rec.console_errors.append(f"{m.text} ({m.location.get('url')})")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: rec.page_errors.append(str(e)))
    page.set_default_timeout(15_000)
    try:
        yield page, rec
    finally:
        context.close()


# --- helpers --------------------------------------------------------------------------------------

def wait_live(page, figure, timeout: int = 15_000) -> None:
    """Scroll a figure into view as a reader would (the wheel: a chart that is already in view
    still sees the reader scroll) and wait until it is live: chart--live and a sized live SVG."""
    figure.scroll_into_view_if_needed()
    page.mouse.wheel(0, 1)
    page.wait_for_function(
        """fig => fig.classList.contains('chart--live') &&
                  !!fig.querySelector('.chart__live svg') &&
                  fig.querySelector('.chart__live svg').getBoundingClientRect().width > 0""",
        arg=figure.element_handle(), timeout=timeout)


def hover_for_tooltip(page, figure, tries: int = 12) -> str:
    """Hover the centre of marks in a live chart until one shows a tooltip; its text, or ""."""
    page.mouse.move(1, 1)
    tried = 0
    for group in MARK_GROUPS:
        marks = figure.locator(group)
        count = marks.count()
        # Spread the attempts over the marks of the group (first, last and in between).
        picks = sorted({0, count - 1, *range(0, count, max(1, count // 4))}) if count else []
        for i in picks:
            if tried >= tries:
                return ""
            tried += 1
            mark = marks.nth(i)
            try:   # a re-render (resize, re-theme) may replace the mark: then try the next
                box = mark.bounding_box(timeout=2_000)
                if box and (box["y"] < 0 or box["y"] + box["height"] > page.viewport_size["height"]):
                    mark.scroll_into_view_if_needed(timeout=2_000)
                    box = mark.bounding_box(timeout=2_000)
            except PlaywrightError:
                continue
            if not box or (box["width"] == 0 and box["height"] == 0):
                continue
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=2)
            try:
                page.wait_for_function(
                    """() => { const t = document.querySelector('#vg-tooltip-element.visible');
                               return t && t.textContent.trim().length > 0; }""", timeout=500)
            except PlaywrightError:
                page.mouse.move(1, 1)
                continue
            text = page.locator("#vg-tooltip-element.visible").inner_text().strip()
            page.mouse.move(1, 1)
            return text
    return ""


def live_text_fills(page, figure) -> list[str]:
    """The computed fill colours of the text in a live chart's SVG."""
    return figure.evaluate(
        """fig => Array.from(fig.querySelectorAll('.chart__live svg text'))
                   .map(t => getComputedStyle(t).fill)""")


def set_dark(page) -> None:
    """Switch the palette to slate by clicking Material's own toggle, as a reader would."""
    if page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate":
        return
    toggle = page.locator("form[data-md-component=palette] label:visible").first
    toggle.click()
    page.wait_for_function("() => document.body.getAttribute('data-md-color-scheme') === 'slate'")
