"""A section page prints cleanly: no navigation, charts whole and static, sources and link targets on paper."""

from __future__ import annotations

import pytest
from conftest import SECTION_PAGES

from explainer.content.fragments import Page

pytest.register_assert_rewrite("browser_support")
from browser_support import open_page  # noqa: E402 - after the assert rewrite

pytest_plugins = ["browser_support"]

PAGE = Page.for_file(SECTION_PAGES[0][1]).url
A4_PRINTABLE_PX = 1000  # an A4 page's height at 96 dpi less Chromium's default margins, rounded down


@pytest.mark.slow
@pytest.mark.browser
def test_a_section_page_prints_with_whole_charts_and_every_source_line(browser, server):
    with open_page(browser) as (page, _):
        page.goto(server.url(PAGE), wait_until="load")
        page.emulate_media(media="print")
        state = page.evaluate(
            """() => {
              const shown = el => el && getComputedStyle(el).display !== 'none';
              const figs = [...document.querySelectorAll('figure.chart')];
              const links = [...document.querySelectorAll('.md-content a[href^="http"]')];
              return {
                nav: ['.md-header', '.md-sidebar--primary', '.md-footer'].some(s => shown(document.querySelector(s))),
                figures: figs.map(f => ({
                  id: f.id, avoid: getComputedStyle(f).breakInside, height: f.getBoundingClientRect().height,
                  source: shown(f.querySelector('.chart__sources')),
                  image: shown(f.querySelector('.chart__pic--light')),
                })),
                written: links.length === 0 || getComputedStyle(links[0], '::after').content.includes('http'),
              };
            }"""
        )
        assert not state["nav"], "navigation prints"
        assert state["figures"], "no chart on the page"
        for f in state["figures"]:
            assert f["avoid"] == "avoid" and f["height"] < A4_PRINTABLE_PX, f"{f['id']} may split across pages: {f}"
            assert f["source"], f"{f['id']}: its source line does not print"
            assert f["image"], f"{f['id']}: no static image in print"
        assert state["written"], "external link targets are not written out"
        pdf = page.pdf(format="A4")
        assert pdf[:5] == b"%PDF-" and pdf.count(b"/Type /Page") >= 2
