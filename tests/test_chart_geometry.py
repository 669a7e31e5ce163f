"""What a reader sees of every chart, measured in the browser (issue 22.6): for every chart, static
and live, on a phone (360 and 390 px) and a laptop (1280 px), light and dark, and on its embed page:

- no text cut by the chart's edge;
- no text over text;
- no label crossed by a mark (a line through it, or a bar's edge across it: "struck through");
- chart text at least 10 px as rendered (an image shown smaller than its own size shrinks its text);
- the live view as tall as the static image it replaces, within a few pixels (nothing jumps).

The static images are measured as documents of their own (the SVG file loaded in Chromium), scaled
by the width the page shows them at; the live views in place on each chart's own page (Vega's SVG
renderer, so their text is inspectable). Each check is shown to fail on a planted instance: a
small SVG and a small live chart broken on purpose.

Charts that fail a check today are listed in EXPECTED with the visual review's finding: they are
reported as expected failures while they fail, and the test says so when one passes, so the list
shrinks as the charts are fixed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest

pytest.register_assert_rewrite("browser_support")
from browser_support import open_page, set_dark, wait_live  # noqa: E402 - after the assert rewrite

from explainer.steps import render  # noqa: E402

pytest_plugins = ["browser_support"]
pytestmark = pytest.mark.browser

CHARTS = sorted(render.discover())
PHONE, PHONE_WIDE, LAPTOP = 360, 390, 1280
WIDTHS = (PHONE, PHONE_WIDE, LAPTOP)
SCHEMES = ("light", "dark")
# The live views and embeds, by width and scheme: the two ends of the phones' range (a scheme's
# geometry is the other's: light and dark images are drawn alike), the laptop in both. The static
# images are measured at 360px, the narrowest column, where their text comes out smallest.
LIVE_CASES = ((PHONE_WIDE, "light"), (PHONE, "dark"), (LAPTOP, "light"), (LAPTOP, "dark"))
MIN_TEXT_PX = 10  # chart text as rendered
HEIGHT_SLACK = 4  # px: static and live "within a few pixels"
OVERLAP_PX = 2  # text boxes overlapping by more than this in both directions is text over text
EDGE_SLACK = 1  # px a text box may touch past the chart's edge (anti-aliasing)

CHECKS = ("cut", "overlap", "crossed", "small", "height")

# (chart, check) → the visual review's finding (../shared/reviews/2026-12-06-visual.md) that
# explains why it fails today. Emptied as the charts are restyled (issue 22.2).
EXPECTED: dict[tuple[str, str], str] = {}


# --- measuring ---------------------------------------------------------------------------------

# Runs in a document holding the chart's <svg> (the SVG file itself, or a page with a live view).
# Returns the chart's box, and for each visible text its box, font size and the problems of marks
# crossing it, all in CSS px of the document; `scale` (passed in) turns them into px as shown.
COLLECT = r"""
([rootSelector]) => {
  const svg = rootSelector ? document.querySelector(rootSelector) : document.documentElement;
  const box = svg.getBoundingClientRect();
  const vb = svg.viewBox && svg.viewBox.baseVal;
  const natural = vb && vb.width ? vb.width : Number(svg.getAttribute('width')) || box.width;
  const unit = box.width / natural;  // document px per SVG unit (1 for a file, less for a scaled view)
  function visible(el) {
    let op = 1;
    for (let e = el; e && e !== svg.parentNode; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.display === 'none' || cs.visibility === 'hidden') return false;
      op *= Number(cs.opacity);
      if (e.getAttribute('display') === 'none') return false;
    }
    const cs = getComputedStyle(el);
    if (el.tagName === 'text' && (cs.fill === 'none' || Number(cs.fillOpacity) === 0)) return false;
    return op > 0.05;
  }
  const texts = Array.from(svg.querySelectorAll('text'))
    .filter(t => t.textContent.trim() && visible(t))
    .map(t => ({el: t, r: t.getBoundingClientRect(), text: t.textContent.trim().slice(0, 60),
                size: parseFloat(getComputedStyle(t).fontSize) * unit}));
  // Marks: Vega draws data marks in groups of class role-mark (axes, legends, titles have others),
  // and a legend's swatches in groups of class role-legend-symbol.
  const marks = Array.from(svg.querySelectorAll(
      'g.role-mark:not(.mark-text) > :is(path, line, rect, circle), g.role-legend-symbol > path'))
    .filter(m => visible(m) && m.getScreenCTM && m.isPointInFill);
  const pt = svg.createSVGPoint ? svg.createSVGPoint() : null;
  function crossing(t) {
    // Sample the label's ink box: inset from the line box (ascent and descent are mostly empty).
    const r = t.r, insetY = r.height * 0.25, insetX = Math.min(2, r.width / 4);
    const xs = [], ys = [];
    // Dense enough that a 1px rule across the label meets a row of points.
    const nx = Math.min(40, Math.ceil((r.width - 2 * insetX) / 3)), ny = Math.ceil((r.height - 2 * insetY) / 0.9);
    for (let i = 0; i <= nx; i++) xs.push(r.left + insetX + (r.width - 2 * insetX) * i / nx);
    for (let j = 0; j <= ny; j++) ys.push(r.top + insetY + (r.height - 2 * insetY) * j / ny);
    const hits = [];
    for (const m of marks) {
      const mr = m.getBoundingClientRect();
      if (mr.right < r.left || mr.left > r.right || mr.bottom < r.top || mr.top > r.bottom) continue;
      const cs = getComputedStyle(m);
      const filled = cs.fill !== 'none' && Number(cs.fillOpacity) * Number(cs.opacity) >= 0.5;
      const stroked = cs.stroke !== 'none' && Number(cs.strokeOpacity) * Number(cs.opacity) >= 0.3
                      && parseFloat(cs.strokeWidth) > 0;
      const inv = m.getScreenCTM().inverse();
      let inFill = 0, inStroke = 0, n = 0;
      for (const x of xs) for (const y of ys) {
        pt.x = x; pt.y = y;
        const p = pt.matrixTransform(inv);
        n++;
        if (filled && m.isPointInFill(p)) inFill++;
        if (stroked && m.isPointInStroke(p)) inStroke++;
      }
      // A stroke through the label, or a filled shape's edge across it (a label wholly inside
      // a bar is the bar's own label, not crossed).
      if (inStroke > 0 || (inFill > 0 && inFill < n)) {
        const g = m.parentElement;
        hits.push((g.getAttribute('class') || '').split(' ')[0] + (inStroke ? ' (stroke)' : ' (edge)'));
      }
    }
    return hits;
  }
  return {
    box: {left: box.left, top: box.top, width: box.width, height: box.height},
    texts: texts.map(t => ({text: t.text, size: t.size, crossed: crossing(t),
      left: t.r.left - box.left, top: t.r.top - box.top, right: t.r.right - box.left, bottom: t.r.bottom - box.top})),
  };
}
"""


@dataclass
class View:
    """One rendering of one chart as a reader sees it."""

    chart: str
    case: str  # e.g. "static narrow light at 360px", "live wide dark at 1280px", "embed ..."
    geometry: dict
    scale: float = 1.0  # px as shown per px measured
    heights: tuple[float, float] | None = None  # (static, live) as shown, for live views
    problems: dict[str, list[str]] = field(default_factory=dict)
    extra: list[str] = field(default_factory=list)  # an embed's own problems (which picture, whole)
    warnings: list[str] = field(default_factory=list)  # the console's warnings while a live view drew


def problems(view: View) -> dict[str, list[str]]:
    """Every problem of the view, by check."""
    g, s = view.geometry, view.scale
    w, h = g["box"]["width"], g["box"]["height"]
    texts = g["texts"]
    out: dict[str, list[str]] = {c: [] for c in CHECKS}
    for t in texts:
        if (
            t["left"] < -EDGE_SLACK
            or t["top"] < -EDGE_SLACK
            or t["right"] > w + EDGE_SLACK
            or t["bottom"] > h + EDGE_SLACK
        ):
            out["cut"].append(
                f"{t['text']!r} runs past the edge ({t['left']:.0f}..{t['right']:.0f} of {w:.0f} px wide)"
            )
        if t["size"] * s < MIN_TEXT_PX - 0.05:
            out["small"].append(f"{t['text']!r} is {t['size'] * s:.1f} px")
        if t["crossed"]:
            out["crossed"].append(f"{t['text']!r} crossed by {', '.join(sorted(set(t['crossed'])))}")
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            dx = min(a["right"], b["right"]) - max(a["left"], b["left"])
            dy = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
            if dx > OVERLAP_PX and dy > OVERLAP_PX:
                out["overlap"].append(f"{a['text']!r} over {b['text']!r}")
    if view.heights:
        static, live = view.heights
        if abs(static - live) > HEIGHT_SLACK:
            out["height"].append(f"static {static:.0f} px, live {live:.0f} px")
    return out


def measure(page, root: str | None = None) -> dict:
    return page.evaluate(COLLECT, [root])


def svg_document(page, url: str) -> dict:
    page.goto(url, wait_until="load")
    return measure(page)


def shown_width(page, selector: str) -> float:
    return page.locator(selector).locator("visible=true").first.evaluate("e => e.getBoundingClientRect().width")


def live_view(page, url: str, chart: str, case: str) -> View:
    """A chart's own page: the static image's height, then the live view's geometry and height, and
    what Vega warned about while drawing it."""
    said: list[str] = []

    def listen(m):
        if m.type in ("warning", "error"):
            said.append(m.text)

    page.on("console", listen)
    try:
        page.goto(url, wait_until="load")
        fig = page.locator("figure.chart").first
        img = fig.locator(".chart__static img").locator("visible=true").first
        img.evaluate("i => i.decode ? i.decode().catch(() => {}) : null")
        static_h = img.evaluate("i => i.getBoundingClientRect().height")
        wait_live(page, fig)
        live_h = fig.locator(".chart__live svg").first.evaluate("s => s.getBoundingClientRect().height")
        geometry = measure(page, "figure.chart .chart__live svg")
    finally:
        page.remove_listener("console", listen)
    return View(chart, case, geometry, heights=(static_h, live_h), warnings=said)


# --- the views of every chart, measured once -----------------------------------------------------


def _figure_widths(browser, server) -> dict[int, float]:
    """How wide a chart's image may be at each width (it shows at most this wide)."""
    out = {}
    for width in WIDTHS:
        with open_page(browser, javascript=False, viewport={"width": width, "height": 800}) as (page, _):
            page.goto(server.url(f"charts/{CHARTS[0]}/"), wait_until="load")
            static = page.locator("figure.chart .chart__static").first
            out[width] = static.evaluate("f => f.getBoundingClientRect().width")
    return out


@pytest.fixture(scope="module")
def views(browser, server, site) -> list[View]:
    meta = {c: json.loads((render.artifact(c, "meta.json")).read_text(encoding="utf-8")) for c in CHARTS}
    column = _figure_widths(browser, server)
    out: list[View] = []
    # Static: each image file once; shown on a phone (narrow) or a laptop (wide) at the column's width.
    static_min: dict[tuple[str, str], float] = {}
    with open_page(browser) as (page, _):
        for chart in CHARTS:
            for variant, width in (("narrow.", PHONE), ("", LAPTOP)):
                natural = meta[chart]["size"]["narrow" if variant else "wide"][0]
                for scheme in SCHEMES:
                    g = svg_document(page, server.url(f"assets/charts/{chart}.{variant}{scheme}.svg"))
                    scale = min(1.0, column[width] / natural)
                    kind = "narrow" if variant else "wide"
                    out.append(View(chart, f"static {kind} {scheme} at {width}px", g, scale=scale))
                    static_min[(chart, f"{variant}{scheme}")] = min((t["size"] for t in g["texts"]), default=99)
    # Live, on each chart's own page, and the embed page (LIVE_CASES).
    for width, scheme in LIVE_CASES:
        with open_page(browser, color_scheme=scheme, viewport={"width": width, "height": 800}) as (page, _):
            for chart in CHARTS:
                case = f"at {width}px, {scheme}"
                out.append(live_view(page, server.url(f"charts/{chart}/"), chart, f"live {case}"))
                out.append(embed_view(page, server, chart, case, static_min))
    for v in out:
        v.problems = problems(v)
    return out


def embed_view(page, server, chart: str, case: str, static_min: dict) -> View:
    """The embed page: which picture it shows, how small its text comes out, whether it fits."""
    page.goto(server.url(f"charts/{chart}/embed/"), wait_until="load")
    img = page.locator("img").first
    img.evaluate("i => i.decode ? i.decode().catch(() => {}) : null")
    shown = img.evaluate(
        """i => ({src: i.currentSrc, width: i.getBoundingClientRect().width, natural: i.naturalWidth,
                  right: i.getBoundingClientRect().right, page: document.documentElement.clientWidth,
                  bg: getComputedStyle(document.body).backgroundColor,
                  text: getComputedStyle(document.querySelector('p')).color,
                  link: getComputedStyle(document.querySelector('p a')).color})"""
    )
    file = shown["src"].rsplit("/", 1)[-1]
    variant = file[len(chart) + 1 : -len(".svg")]  # "narrow.dark", "light", ...
    scale = shown["width"] / shown["natural"]
    texts = [{"text": f"(smallest text of {file})", "size": static_min[(chart, variant)], "crossed": [], "left": 0}]
    texts[0] |= {"top": 0, "right": 0, "bottom": 0}
    view = View(chart, f"embed {case}", {"box": {"width": shown["page"], "height": 1e6}, "texts": texts}, scale=scale)
    phone = int(case.split("at ")[1].split("px")[0]) <= 600
    dark = "dark" in case
    want = ("narrow." if phone else "") + ("dark" if dark else "light")
    if variant != want:
        view.extra.append(f"shows {file}, not {chart}.{want}.svg")
    if shown["right"] > shown["page"] + EDGE_SLACK:
        view.extra.append(f"the picture runs past the frame ({shown['right']:.0f} of {shown['page']} px)")
    if dark and shown["bg"] in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"):
        view.extra.append(f"a light page behind the dark chart ({shown['bg']})")
    for what in ("text", "link"):
        ratio = contrast(shown[what], shown["bg"])
        if ratio < 4.5:
            view.extra.append(f"its {what} is {ratio:.1f}:1 against its background ({shown[what]} on {shown['bg']})")
    return view


def contrast(a: str, b: str) -> float:
    """WCAG contrast of two computed CSS colours, rgb(...) (a transparent background reads as white)."""

    def lum(css: str) -> float:
        parts = [float(x) for x in css[css.index("(") + 1 : -1].split(",")]
        if len(parts) == 4 and parts[3] == 0:
            parts = [255.0, 255.0, 255.0]
        c = [x / 255 for x in parts[:3]]
        c = [x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4 for x in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


# --- the checks ----------------------------------------------------------------------------------


def _report(views: list[View], check: str) -> None:
    failing: dict[str, list[str]] = {}
    for v in views:
        for p in v.problems.get(check, []):
            failing.setdefault(v.chart, []).append(f"{v.case}: {p}")
    unexpected = {c: ps for c, ps in failing.items() if (c, check) not in EXPECTED}
    assert not unexpected, f"{check}:\n" + "\n".join(f"{c}: {p}" for c, ps in unexpected.items() for p in ps[:6])
    fixed = sorted(c for (c, k) in EXPECTED if k == check and c not in failing)
    assert not fixed, f"{check}: {fixed} pass now: remove them from EXPECTED"
    known = sorted(c for (c, k) in EXPECTED if k == check)
    if known:
        pytest.xfail(f"{check}: expected to fail today: " + "; ".join(f"{c} ({EXPECTED[(c, check)]})" for c in known))


@pytest.mark.parametrize("check", CHECKS)
def test_every_chart_static_live_and_embedded(views, check):
    """One check, over every chart in every state, width and scheme."""
    _report(views, check)


def test_every_view_was_measured(views):
    """The checks measured something: every chart in every state, each with its text."""
    cases = {(v.chart, v.case.split(" at ")[0].split(" ")[0]) for v in views}
    assert cases == {(c, k) for c in CHARTS for k in ("static", "live", "embed")}
    for v in views:
        assert v.geometry["texts"], f"{v.chart} {v.case}: no text found"
        if v.heights:
            assert min(v.heights) > 100, f"{v.chart} {v.case}: heights {v.heights}"


def test_no_live_view_is_resized_against_its_own_spec(views):
    """Vega drops a size it cannot honour with a warning ("Dropping fit-y because spec has discrete
    height": who_leads_where's struck-through rows, S1); the live views are sized so it never has to."""
    bad = [
        f"{v.chart} {v.case}: {w}" for v in views for w in v.warnings if "fit" in w.lower() or "autosize" in w.lower()
    ]
    assert not bad, "\n".join(bad)


def test_a_live_chart_keeps_its_height_while_it_rethemes(browser, server):
    """Toggling the scheme redraws a live chart: the page under it must not move meanwhile."""
    chart = "who_leads_where" if "who_leads_where" in CHARTS else CHARTS[0]
    with open_page(browser, viewport={"width": PHONE, "height": 800}) as (page, _):
        page.goto(server.url(f"charts/{chart}/"), wait_until="load")
        fig = page.locator("figure.chart").first
        wait_live(page, fig)
        page.evaluate(
            """() => {
                 const fig = document.querySelector('figure.chart');
                 window.__old = fig.querySelector('.chart__live svg');
                 window.__heights = [];
                 const sample = () => window.__heights.push(fig.getBoundingClientRect().height);
                 // After every change to the figure's content (the old view removed, the new one
                 // drawn), before anything paints, and on every frame.
                 new MutationObserver(sample).observe(fig, {childList: true, subtree: true});
                 (function frame() { sample(); if (window.__heights.length < 2000) requestAnimationFrame(frame); })();
               }"""
        )
        set_dark(page)
        page.wait_for_function(
            """() => { const fig = document.querySelector('figure.chart');
                       const svg = fig.querySelector('.chart__live svg');
                       return svg && svg !== window.__old && fig.dataset.state === 'live'; }"""
        )
        page.wait_for_timeout(300)
        heights = page.evaluate("window.__heights")
    assert len(heights) > 5 and max(heights) - min(heights) <= HEIGHT_SLACK, (min(heights), max(heights))


def test_every_embed_shows_the_right_picture(views):
    """Embeds: the narrow picture on a phone, the dark one under a dark system scheme, whole, on a
    page whose text and links read against it (4.5:1)."""
    bad = [f"{v.chart} {v.case}: {p}" for v in views for p in v.extra]
    assert not bad, "\n".join(bad)


# --- each check fails on a planted instance ------------------------------------------------------

# A chart drawn wrong on purpose, once per check: text past the right edge, two words on top of
# each other, a label with a rule through it, 6px text. Classes as Vega's renderer writes them.
PLANTED_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100">
<g class="mark-text role-axis-label"><text x="150" y="20" font-size="12" fill="#000">cut at the edge</text></g>
<g class="mark-text role-mark"><text x="10" y="50" font-size="12" fill="#000">over</text>
<text x="16" y="53" font-size="12" fill="#000">text</text></g>
<g class="mark-rule role-mark"><line x1="100" y1="76" x2="190" y2="76" stroke="#000" stroke-width="2"/></g>
<g class="mark-text role-mark"><text x="110" y="80" font-size="12" fill="#000">struck</text>
<text x="10" y="95" font-size="6" fill="#000">tiny</text></g>
</svg>"""

# The same elements drawn right: nothing for any check to find.
CLEAN_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100">
<g class="mark-text role-axis-label"><text x="100" y="20" font-size="12" fill="#000">inside</text></g>
<g class="mark-text role-mark"><text x="10" y="50" font-size="12" fill="#000">apart</text>
<text x="100" y="50" font-size="12" fill="#000">words</text></g>
<g class="mark-rule role-mark"><line x1="100" y1="86" x2="190" y2="86" stroke="#000" stroke-width="2"/></g>
<g class="mark-rect role-mark"><path d="M20,60h60v30h-60Z" fill="#36c"/></g>
<g class="mark-text role-mark"><text x="110" y="76" font-size="12" fill="#000">above</text>
<text x="30" y="80" font-size="12" fill="#fff">in bar</text>
<text x="10" y="30" font-size="10" fill="#000" opacity="0">hidden</text></g>
</svg>"""

# A live chart broken as who_leads_where was (visual review S1): a fixed step per row too small for
# a label above each row's rule, so each label is struck through by the rule of the row above; and
# its image, twice as tall, is what the live view replaces.
PLANTED_SPEC = {
    "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
    "data": {"values": [{"m": f"Measure {i}", "v": 2 + 3 * i} for i in range(5)]},
    "height": {"step": 14},
    "encoding": {"y": {"field": "m", "type": "nominal", "axis": None}},
    "layer": [
        {"mark": {"type": "rule", "strokeWidth": 3}, "encoding": {"x": {"field": "v", "type": "quantitative"}}},
        {
            "mark": {"type": "text", "align": "left", "baseline": "bottom", "dy": -9},
            "encoding": {"x": {"value": 0}, "text": {"field": "m"}},
        },
    ],
}
PLANTED_IMAGE = (400, 240)


def _planted_page(chart_svg_url: str) -> str:
    w, h = PLANTED_IMAGE
    return (
        '<!doctype html><html><head><meta name="viewport" content="width=device-width">'
        '<link rel="stylesheet" href="/assets/css/site.css"></head><body class="md-typeset">'
        '<figure class="chart" data-chart="planted" data-spec="/planted.vl.json"><div class="chart__static">'
        f'<picture class="chart__pic chart__pic--light"><source media="(max-width: 600px)" srcset="{chart_svg_url}" '
        f'width="{w}" height="{h}"><img src="{chart_svg_url}" alt="" width="{w}" height="{h}"></picture></div>'
        '<div class="chart__live" aria-hidden="true"></div></figure>'
        '<div style="height:2000px"></div><script src="/assets/js/charts.js"></script></body></html>'
    )


def _image(w: int, h: int) -> str:
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}"></svg>'


def _route(page, server, files: dict[str, tuple[str, str]]) -> None:
    def answer(body: str, ctype: str):
        return lambda route, _request=None: route.fulfill(body=body, content_type=ctype)

    for path, (body, ctype) in files.items():
        page.route(server.url(path), answer(body, ctype))


def test_each_check_fails_on_a_planted_svg_and_passes_a_clean_one(browser, server):
    with open_page(browser) as (page, _):
        _route(page, server, {"planted.svg": (PLANTED_SVG, "image/svg+xml"), "clean.svg": (CLEAN_SVG, "image/svg+xml")})
        planted = View("planted", "static", svg_document(page, server.url("planted.svg")))
        clean = View("clean", "static", svg_document(page, server.url("clean.svg")))
    found = problems(planted)
    for check in ("cut", "overlap", "crossed", "small"):
        assert found[check], f"{check}: the planted SVG passes ({found})"
    assert any("'cut at the edge'" in p for p in found["cut"])
    assert any("'struck'" in p and "mark-rule" in p for p in found["crossed"])
    assert any("'tiny'" in p for p in found["small"])
    assert not any(problems(clean).values()), problems(clean)
    assert "hidden" not in {t["text"] for t in clean.geometry["texts"]}, "a label hidden by Vega counted as text"


def test_the_height_and_crossing_checks_fail_on_a_planted_live_chart(browser, server):
    """A live chart sized by a step too small for its labels (S1): struck-through labels, and a live
    view much shorter than its image. Its twin without the step is fitted to the image."""
    fitted = {k: v for k, v in PLANTED_SPEC.items() if k != "height"}
    views = {}
    for name, spec in (("planted", PLANTED_SPEC), ("fitted", fitted)):
        with open_page(browser, viewport={"width": LAPTOP, "height": 800}) as (page, rec):
            _route(
                page,
                server,
                {
                    "planted/": (_planted_page("/planted.svg"), "text/html"),
                    "planted.svg": (_image(*PLANTED_IMAGE), "image/svg+xml"),
                    "planted.vl.json": (json.dumps(spec), "application/json"),
                },
            )
            views[name] = live_view(page, server.url("planted/"), name, "live")
            assert not rec.page_errors, rec.page_errors
    found = problems(views["planted"])
    assert found["crossed"] and found["height"], found
    static, live = views["fitted"].heights
    assert abs(static - live) <= HEIGHT_SLACK, f"the live view was not fitted to its image: {static} vs {live}"
    assert not problems(views["fitted"])["crossed"], problems(views["fitted"])


def test_the_embed_checks_fail_on_a_planted_embed_page(browser, server):
    """An embed page as it was (S9, m8): the wide light image only, and pale text. On a phone in dark
    mode it shows the wrong picture, its text shrinks under 10px, and its words fade."""
    chart = CHARTS[0]
    meta = json.loads(render.artifact(chart, "meta.json").read_text(encoding="utf-8"))
    w, h = meta["size"]["wide"]
    old = (
        '<!doctype html><html><head><meta name="viewport" content="width=device-width,initial-scale=1">'
        "<style>img{max-width:100%;height:auto}p{color:#aaa}a{color:#bbb}</style></head><body>"
        f'<img src="../../../assets/charts/{chart}.light.svg" alt="" width="{w}" height="{h}">'
        '<p>Source: <a href="../">somewhere</a></p></body></html>'
    )
    static_min = {}
    with open_page(browser, color_scheme="dark", viewport={"width": PHONE, "height": 800}) as (page, _):
        for variant in ("", "narrow."):
            for scheme in SCHEMES:
                g = svg_document(page, server.url(f"assets/charts/{chart}.{variant}{scheme}.svg"))
                static_min[(chart, f"{variant}{scheme}")] = min(t["size"] for t in g["texts"])
        _route(page, server, {f"charts/{chart}/embed/": (old, "text/html")})
        view = embed_view(page, server, chart, f"at {PHONE}px, dark", static_min)
    view.problems = problems(view)
    assert view.problems["small"], view.problems
    assert any("shows" in p for p in view.extra), view.extra
    assert any("light page behind the dark chart" in p for p in view.extra), view.extra
    assert any("text is" in p for p in view.extra) and any("link is" in p for p in view.extra), view.extra
