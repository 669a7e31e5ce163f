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

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import ROOT, html_pages, nav
from playwright.sync_api import Error as PlaywrightError

from explainer.content.fragments import Page
from explainer.core.settings import CHROMIUM, CHROMIUM_ARGS
from explainer.devtools import serving

VIEWPORT = {"width": 1280, "height": 800}
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VEGA_BUNDLE = "assets/vendor/vega-bundle.js"

# The marks a reader can hover for a tooltip, in any chart type the site draws.
# Vega gives the groups of data marks the class role-mark (axes, legends and titles get others).
# Point-like marks first: they are where charts put their tooltips; lines and labels last.
MARK_GROUPS = [f".chart__live svg g.role-mark.mark-{m} > path" for m in ("symbol", "rect", "arc", "area")] + [
    ".chart__live svg g.role-mark > path",
    ".chart__live svg g.role-mark > line",
    ".chart__live svg g.role-mark > text",
]
MARKS = ", ".join(MARK_GROUPS)


@pytest.fixture(scope="session")
def server(site: Path) -> Iterator[serving.SiteServer]:
    """The session's build, served like GitHub Pages (explainer.devtools.serving)."""
    with serving.serve(site) as srv:
        yield srv


# --- the pages ----------------------------------------------------------------------------------


def _nav_pages() -> list[str]:
    """The pages the build makes, from the nav (known at collection, before the session build)."""
    out = [Page.for_file(f).url for _, f in nav()]
    return sorted([*out, "404.html"])


PAGES = _nav_pages()  # "" is the home page; test_browser checks this against the build


def _chart_page_sample() -> list[str]:
    """One page per chart and its embed page: all are made from one template, so the first chart's
    pair stands for them in the browser tests (test_trust reads every one of them)."""
    from explainer.steps import render

    first = sorted(render.discover())[0]
    return [f"charts/{first}/", f"charts/{first}/embed/"]


CHART_PAGE_SAMPLE = _chart_page_sample()


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
    """The nav's pages that show a chart (the per-chart pages are tested in test_trust)."""
    return [
        p
        for p in page_paths(site, with_404=False)
        if not p.startswith("charts/") and 'class="chart"' in (site / p / "index.html").read_text(encoding="utf-8")
    ]


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
    documents: list[str] = field(default_factory=list)  # main-frame document loads (full page loads)

    def off_site(self, origin: str) -> list[str]:
        return [
            u
            for u in self.requests
            if not (u.startswith(origin + "/") or u == origin or u.startswith(("data:", "blob:")))
        ]

    def problems(self) -> list[str]:
        return [f"console error: {m}" for m in self.console_errors] + [f"page error: {m}" for m in self.page_errors]


@contextmanager
def open_page(browser, *, javascript: bool = True, color_scheme: str = "light", **ctx):
    """A fresh context (empty cache and storage) and page, with a Recorder attached."""
    context = browser.new_context(
        viewport=ctx.pop("viewport", VIEWPORT),
        java_script_enabled=javascript,
        color_scheme=color_scheme,
        service_workers="block",
        **ctx,
    )
    page = context.new_page()
    rec = Recorder()

    def on_request(r):
        rec.requests.append(r.url)
        if r.resource_type == "document" and r.frame == page.main_frame:
            rec.documents.append(r.url)

    page.on("request", on_request)
    page.on(
        "console",
        lambda m: rec.console_errors.append(f"{m.text} ({m.location.get('url')})") if m.type == "error" else None,
    )
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
        arg=figure.element_handle(),
        timeout=timeout,
    )


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
            try:  # a re-render (resize, re-theme) may replace the mark: then try the next
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
                               return t && t.textContent.trim().length > 0; }""",
                    timeout=500,
                )
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
                   .map(t => getComputedStyle(t).fill)"""
    )


def set_dark(page) -> None:
    """Switch the palette to slate by clicking Material's own toggle, as a reader would."""
    if page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate":
        return
    toggle = page.locator("form[data-md-component=palette] label:visible").first
    toggle.click()
    page.wait_for_function("() => document.body.getAttribute('data-md-color-scheme') === 'slate'")
