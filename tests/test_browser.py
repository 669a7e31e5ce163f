"""The built site in a real browser (Debian's Chromium through Playwright), served from 127.0.0.1.

Every page: nothing leaves 127.0.0.1, no console or page error, every chart shows its static image
at once, goes live when it nears the viewport, shows a tooltip on hover, re-themes with the
palette toggle without a reload and prints as the static image. Charts keep working across
Material's instant navigation; without JavaScript every chart is still there. Budgets: the bytes
and requests of a first view, and the Vega runtime only once a chart nears the viewport.
"""

from __future__ import annotations

import pytest

from explainer.core import settings
from explainer.core.project import current_project

pytest.register_assert_rewrite("browser_support")
from browser_support import (  # noqa: E402 - after the assert rewrite
    CHART_PAGE_SAMPLE,
    PAGES,
    VEGA_BUNDLE,
    VIEWPORT,
    chart_pages,
    hover_for_tooltip,
    live_text_fills,
    open_page,
    page_paths,
    set_dark,
    wait_live,
)

pytest_plugins = ["browser_support"]
pytestmark = pytest.mark.browser

BUDGET_BYTES = settings.PAGE_BYTES
BUDGET_REQUESTS = settings.PAGE_REQUESTS
NEAR = 300  # charts.js's rootMargin: how near the viewport a chart goes live


def test_the_page_list_matches_the_build(site):
    from explainer.steps import render

    built = page_paths(site)
    assert sorted(p for p in built if not p.startswith("charts/")) == PAGES
    # Besides the nav's pages, one page per chart and one to embed it (tested in test_trust).
    per_chart = {f"charts/{c}/" for c in render.discover()} | {f"charts/{c}/embed/" for c in render.discover()}
    assert {p for p in built if p.startswith("charts/")} == per_chart


def static_img(fig):
    """The static image a reader sees in the current scheme (light or dark picture)."""
    return fig.locator(".chart__static img").locator("visible=true").first


def assert_static_image_shown(page, fig, name: str) -> None:
    img = static_img(fig)
    assert img.count() == 1, f"{name}: no visible static image"
    img.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle(), timeout=10_000)
    box = img.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 50, f"{name}: static image has no size: {box}"


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.strip("/") or "home")
def test_every_page_charts_go_live_with_tooltips_rethemes_and_prints(browser, server, path):
    with open_page(browser) as (page, rec):
        # Hold the Vega bundle back until the static images have been checked, so "the static
        # image shows at once" is tested before any JavaScript chart can replace it.
        held, release = [], {"go": False}

        def hold(route):
            if release["go"]:
                route.continue_()
            else:
                held.append(route)

        page.route(f"**/{VEGA_BUNDLE}", hold)
        page.goto(server.url(path), wait_until="load")
        page.evaluate("window.__marker = 'same document'")
        documents = len(rec.documents)
        figures = page.locator("figure.chart[data-spec]")
        names = [figures.nth(i).get_attribute("data-chart") for i in range(figures.count())]

        for i, name in enumerate(names):
            fig = figures.nth(i)
            assert_static_image_shown(page, fig, name)
            assert "chart--live" not in (fig.get_attribute("class") or ""), f"{name}: live without Vega"

        release["go"] = True
        for route in held:
            route.continue_()

        light_fills = {}
        for i, name in enumerate(names):
            fig = figures.nth(i)
            wait_live(page, fig)
            width = fig.locator(".chart__live svg").first.evaluate("s => s.getBoundingClientRect().width")
            assert width > 0, f"{name}: live SVG has no width"
            assert not fig.locator(".chart__static").is_visible(), f"{name}: static and live both shown"
            text = hover_for_tooltip(page, fig)
            assert text, f"{name}: no tooltip on hovering its marks"
            light_fills[name] = live_text_fills(page, fig)
            assert light_fills[name], f"{name}: live SVG has no text"

        # Dark mode through Material's own toggle: every live chart re-themes, no reload.
        set_dark(page)
        for i, name in enumerate(names):
            fig = figures.nth(i)
            page.wait_for_function(
                """([fig, before]) => {
                     const svg = fig.querySelector('.chart__live svg');
                     if (!fig.classList.contains('chart--live') || !svg) return false;
                     const now = Array.from(svg.querySelectorAll('text')).map(t => getComputedStyle(t).fill);
                     return now.length > 0 && JSON.stringify(now) !== JSON.stringify(before);
                   }""",
                arg=[fig.element_handle(), light_fills[name]],
                timeout=10_000,
            )
            assert fig.locator(".chart__live svg").first.evaluate("s => s.getBoundingClientRect().width") > 0
            assert hover_for_tooltip(page, fig), f"{name}: no tooltip after re-theming"
        assert page.evaluate("window.__marker") == "same document", "the palette toggle reloaded the page"
        assert len(rec.documents) == documents, "the palette toggle loaded a document"

        # Print: the static (light) chart, never the live view, whatever the screen scheme.
        page.emulate_media(media="print")
        for i, name in enumerate(names):
            fig = figures.nth(i)
            img = fig.locator(".chart__static img").locator("visible=true")
            assert img.count() == 1, f"{name}: print shows {img.count()} static images"
            assert "chart__pic--light" in img.first.evaluate("i => i.closest('picture').className"), (
                f"{name}: print shows the dark image"
            )
            page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.first.element_handle())
            box = img.first.bounding_box()
            assert box and box["width"] > 0 and box["height"] > 0, f"{name}: printed image has no size"
            assert not fig.locator(".chart__live").is_visible(), f"{name}: print shows the live chart"
        page.emulate_media(media="screen")

        page.wait_for_timeout(200)
        assert rec.off_site(server.origin) == [], "requests left 127.0.0.1"
        assert rec.problems() == []


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.strip("/") or "home")
def test_without_javascript_every_chart_is_visible(browser, server, site, path):
    expected = (
        (site / path / "index.html").read_text(encoding="utf-8").count('<figure class="chart"')
        if path.endswith("/") or path == ""
        else 0
    )
    with open_page(browser, javascript=False) as (page, rec):
        page.goto(server.url(path), wait_until="load")
        figures = page.locator("figure.chart")
        assert figures.count() == expected
        for i in range(figures.count()):
            fig = figures.nth(i)
            name = fig.get_attribute("data-chart")
            assert_static_image_shown(page, fig, name)
            assert not fig.locator(".chart__live").is_visible()
        page.emulate_media(media="print")
        for i in range(figures.count()):
            img = figures.nth(i).locator(".chart__static img").locator("visible=true")
            assert img.count() == 1 and "chart__pic--light" in img.evaluate("i => i.closest('picture').className")
            box = img.bounding_box()
            assert box and box["width"] > 0 and box["height"] > 0
        assert rec.off_site(server.origin) == []


def test_instant_navigation_keeps_charts_working(browser, server, site):
    first, second = chart_pages(site)[:2]
    with open_page(browser) as (page, rec):
        page.goto(server.url(first), wait_until="load")
        page.wait_for_load_state("networkidle")  # Material has read the sitemap
        page.evaluate("window.__marker = 'same document'")
        assert len(rec.documents) == 1

        def check_charts(where: str) -> None:
            figures = page.locator("figure.chart[data-spec]")
            assert figures.count() > 0, f"{where}: no charts"
            for i in range(figures.count()):
                fig = figures.nth(i)
                name = fig.get_attribute("data-chart")
                wait_live(page, fig)
                assert hover_for_tooltip(page, fig), f"{where}: {name} shows no tooltip"

        def swapped_in(target: str, old) -> None:
            """Wait for the new page's content: URL changed, old content gone, new charts there."""
            page.wait_for_url(server.url(target))
            page.wait_for_function("el => !el.isConnected", arg=old)
            page.wait_for_function("() => document.querySelector('figure.chart[data-spec]')")

        def follow_nav_link(target: str) -> None:
            page.evaluate("window.scrollTo(0, 0)")
            old = page.locator("figure.chart").first.element_handle()
            link = page.locator(f'nav.md-nav--primary > ul > li > a.md-nav__link[href$="{target}"]')
            assert link.count() == 1, f"no primary nav link to {target}"
            link.click()
            swapped_in(target, old)

        check_charts(first)
        follow_nav_link(second)
        check_charts(second)
        follow_nav_link(first)
        check_charts(first)
        old = page.locator("figure.chart").first.element_handle()
        page.go_back()
        swapped_in(second, old)
        check_charts(second + " (history back)")

        # Instant navigation fetches pages and swaps them in: one document load in all.
        assert page.evaluate("window.__marker") == "same document", "navigation reloaded the page"
        assert rec.documents == [server.url(first)], f"full page loads: {rec.documents}"
        assert rec.off_site(server.origin) == []
        assert rec.problems() == []


# Pages known to be over budget for reasons outside what these tests may fix (site.css,
# charts.js, overrides/), as {path: why}: reported as an expected failure while over, and a
# failure once under, so that the entry is removed. None at present.
KNOWN_OVER_BUDGET: dict[str, str] = {}


@pytest.mark.parametrize("path", PAGES + CHART_PAGE_SAMPLE, ids=lambda p: p.strip("/") or "home")
def test_first_view_fits_the_budget(browser, server, path):
    """Bytes as sent (gzip, like GitHub Pages) and requests of a first view, before any interaction."""
    with open_page(browser) as (page, rec):
        server.reset()
        page.goto(server.url(path), wait_until="load")
        page.wait_for_load_state("networkidle")
        sent = server.since()
        total = sum(s.sent for s in sent)
        biggest = sorted(sent, key=lambda s: -s.sent)[:5]
        detail = ", ".join(f"{s.path} {s.sent / 1024:.1f} KB" for s in biggest)
        assert all(s.gzipped for s in sent if s.path.endswith((".html", "/", ".js", ".css", ".json", ".svg")))
        assert len(rec.requests) <= BUDGET_REQUESTS, f"{len(rec.requests)} requests: {rec.requests}"
        over = f"{path or 'home'}: {total / 1024:.1f} KB > {BUDGET_BYTES // 1024} KB ({detail})"
        if path in KNOWN_OVER_BUDGET:
            assert total > BUDGET_BYTES, f"{path} is within budget now: remove it from KNOWN_OVER_BUDGET"
            pytest.xfail(f"{over}: {KNOWN_OVER_BUDGET[path]}")
        assert total <= BUDGET_BYTES, over


def test_vega_runtime_loads_only_when_a_chart_nears_the_viewport(browser, server, site):
    far_cases = 0
    for path in chart_pages(site):
        with open_page(browser) as (page, rec):
            page.goto(server.url(path), wait_until="load")
            page.wait_for_load_state("networkidle")
            tops = page.evaluate(
                "Array.from(document.querySelectorAll('figure.chart')).map(f => f.getBoundingClientRect().top)"
            )
            fetched = [u for u in rec.requests if u.endswith(VEGA_BUNDLE)]
            if fetched:
                assert min(tops) <= VIEWPORT["height"] + NEAR, (
                    f"{path}: Vega fetched on load with the first chart {min(tops):.0f}px down"
                )
                continue
            # Scroll to the end of the page: if no chart is near there, Vega must still wait.
            page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
            page.wait_for_timeout(400)
            near = page.evaluate(
                """m => Array.from(document.querySelectorAll('figure.chart')).some(f => {
                       const r = f.getBoundingClientRect();
                       return r.bottom >= -m && r.top <= innerHeight + m; })""",
                NEAR,
            )
            if not near:
                far_cases += 1
                assert not [u for u in rec.requests if u.endswith(VEGA_BUNDLE)], (
                    f"{path}: Vega fetched with no chart near the viewport"
                )
            # Scroll back to the first chart: now Vega loads, and the chart goes live.
            page.locator("figure.chart").first.scroll_into_view_if_needed()
            wait_live(page, page.locator("figure.chart").first)
            assert [u for u in rec.requests if u.endswith(VEGA_BUNDLE)], f"{path}: live without Vega?"
            assert rec.problems() == []
    assert far_cases > 0, "no page had a stretch without charts to check lazy loading on"


def test_search_works_and_its_index_waits_for_the_reader(browser, server):
    """The search index is held back until the reader reaches for search (overrides/main.html)."""
    with open_page(browser) as (page, rec):
        page.goto(server.url("two-different-roads/"), wait_until="load")
        page.wait_for_load_state("networkidle")
        index = [u for u in rec.requests if u.endswith("search/search_index.json")]
        assert index == [], "the search index was fetched before the reader asked for search"
        page.keyboard.press("/")  # Material's search key focuses the search field
        page.keyboard.type("robot")
        page.wait_for_selector(".md-search-result__item", timeout=10_000)
        assert [u for u in rec.requests if u.endswith("search/search_index.json")]
        first = page.locator(".md-search-result__item a").first
        target = first.evaluate("a => a.href.split('#')[0]")
        first.click()
        page.wait_for_function("t => location.href.split('#')[0] === t", arg=target)
        assert rec.off_site(server.origin) == []
        assert rec.problems() == []


def test_a_source_link_unfolds_its_entry_on_the_sources_page(browser, server, site):
    """Chart source links point into folded groups of the registry; following one shows the entry."""
    path = chart_pages(site)[0]
    with open_page(browser) as (page, rec):
        page.goto(server.url(path), wait_until="load")
        page.wait_for_load_state("networkidle")
        link = page.locator("figure.chart .chart__sources a[href*='sources/#']").first
        sid = link.get_attribute("href").split("#", 1)[1]
        link.scroll_into_view_if_needed()
        link.click()
        page.wait_for_url(f"**/sources/#{sid}")
        entry = page.locator(f"section.source[id='{sid}']")
        entry.wait_for(state="visible", timeout=10_000)
        assert entry.evaluate("el => el.closest('details').open")
        assert page.evaluate("() => document.activeElement !== null")
    with open_page(browser, javascript=False) as (page, rec):
        page.goto(server.url("sources/") + f"#{sid}", wait_until="load")
        page.locator(f"section.source[id='{sid}']").wait_for(state="visible", timeout=10_000)


def test_html_in_data_is_escaped_in_chart_tooltips(browser, server):
    """A data value carrying markup reaches the tooltip as text, never as HTML."""
    import json as _json

    payload = '<img src=x onerror="window.__pwned=1"><b>bold</b>'

    def poison(route):
        spec = _json.loads(route.fetch().text())
        for rows in spec.get("datasets", {}).values():
            for row in rows:
                for key in ("edition",):
                    if key in row:
                        row[key] = payload
        route.fulfill(status=200, content_type="application/json", body=_json.dumps(spec))

    with open_page(browser) as (page, rec):
        page.route("**/assets/charts/robot_installations.vl.json", poison)
        page.goto(server.url("two-different-roads/"), wait_until="load")
        fig = page.locator("#chart-robot_installations")
        wait_live(page, fig)
        text = hover_for_tooltip(page, fig)
        assert payload.split(">")[0] in text or "<b>bold</b>" in text, text
        tooltip = page.locator("#vg-tooltip-element")
        assert tooltip.locator("img, b").count() == 0
        assert page.evaluate("window.__pwned") is None
        assert not rec.page_errors


@pytest.mark.parametrize("path", CHART_PAGE_SAMPLE)
def test_a_chart_page_and_its_embed_page_load_cleanly(browser, server, path):
    """Shared or embedded, a chart's own page asks nothing of another host and nothing that is
    not there (a missing favicon is a console error), and shows its static chart at once."""
    with open_page(browser) as (page, rec):
        page.goto(server.url(path), wait_until="load")
        page.wait_for_load_state("networkidle")
        assert rec.off_site(server.origin) == []
        assert rec.problems() == []
        img = page.locator("img").first
        assert img.evaluate("i => i.complete && i.naturalWidth > 0"), "the chart's picture did not load"


@pytest.mark.parametrize("width", [360, 720, 1100])
def test_the_embed_snippet_shows_the_whole_chart_on_another_site(browser, server, site, width):
    """Pasted into another site's page, each chart's snippet frames the chart and its source line
    whole: nothing cut off, no scrollbar inside the frame, no request to a third host."""
    import html as H
    import re

    from explainer.steps import render

    base = str(current_project().config["site_url"]).rstrip("/")
    with open_page(browser) as (page, rec):
        for chart_id in render.discover():
            text = H.unescape(re.sub(r"<[^>]+>", "", (site / "charts" / chart_id / "index.html").read_text("utf-8")))
            snippet = re.search(r"<iframe [^>]+></iframe>", text).group(0).replace(base, server.origin)
            page.set_content(f'<main style="width:{width}px">{snippet}</main>')
            page.frame_locator("iframe").locator("img").wait_for()
            page.wait_for_load_state("networkidle")
            needed, loaded = page.frames[1].evaluate(
                "() => [document.documentElement.scrollHeight, document.querySelector('img').naturalWidth > 0]"
            )
            given = page.locator("iframe").evaluate("f => f.clientHeight")
            assert loaded, f"{chart_id}: the chart's picture did not load in the frame"
            assert needed <= given, f"{chart_id} at {width}px: the frame cuts it off ({needed}px in {given}px)"
        assert [u for u in rec.off_site(server.origin) if not u.startswith("about:")] == []
