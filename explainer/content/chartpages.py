"""A page per chart, at charts/<chart_id>/, and a minimal page to embed it.

The chart page holds the chart with its takeaway, source line, table and downloads, the claims
that rest on its data (as links to their cards), a short permalink and an embed snippet. The
embed page is static HTML with the chart's image and source line: no theme, no script.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from explainer.content import blocks
from explainer.content.fragments import (
    CHART_PAGES,
    Page,
    Site,
    chart_figure,
    data_end,
    source_labels,
    source_links,
)
from explainer.core import claims as C
from explainer.core import files, settings, theme
from explainer.core.project import current_project
from explainer.core.records import ChartMeta


def markdown_pages(site: Site) -> dict[str, str]:
    """Every chart's page as Markdown with markers (expanded like any other page), by chart id."""
    chart_page, claim_page = blocks.where_shown()
    titles = blocks.page_titles()
    return {c: _markdown(c, site, chart_page.get(c), titles, claim_page) for c in sorted(site.metas)}


def claims_on(m: ChartMeta, site: Site) -> list[str]:
    """The claims that rest on a chart's data: a computed claim checked against one of its datasets,
    and a claim judged from the sources that cites a page one of the chart's rows was read in."""
    datasets, sources = set(m.datasets), set(m.sources)
    return [
        r.id
        for r in site.results.values()
        if (C.datasets_of(r.claim) & datasets) or (not r.computed and set(C.sources_of(r.claim)) & sources)
    ]


def _markdown(chart_id: str, site: Site, stem: str | None, titles: dict[str, str], claim_page: dict[str, str]) -> str:
    m = site.metas[chart_id]
    base = current_project().site_base()
    url = f"{base}{CHART_PAGES}/{chart_id}/" if base else None
    uses = claims_on(m, site)
    claims = (
        "<ul>"
        + "".join(
            f'<li><a href="{blocks.card_href(cid, claim_page, site, "../../")}">{cid}</a> '
            f"({escape(site.results[cid].verdict)}): “{escape(site.results[cid].claim.quote)}”</li>"
            for cid in uses
        )
        + "</ul>"
        if uses
        else "No checked claim rests on this chart's data."
    )
    where = f"It appears on [{titles[stem]}](../{stem}.md), where the text explains it." if stem else ""
    frame_title = escape(m.title, quote=False).replace('"', "&quot;")
    if url:
        embed = (
            f'<iframe src="{url}embed/" title="{frame_title}" width="100%" height="{_frame_height(m, site)}" '
            'style="border:0" loading="lazy"></iframe>'
        )
        share = (
            f"Permalink: <{url}>\n\nTo embed the chart (its image and source line, no script):\n\n"
            f"```html\n{embed}\n```\n"
        )
    else:  # no public address known (Project.site_url): a snippet would point nowhere
        share = (
            "This copy of the site was built without its public address, so it offers no permalink or "
            "embed snippet: the address of this page in your browser is the chart's own.\n"
        )
    description = " ".join((m.takeaway or m.title).split())
    return (
        f"---\ntitle: {json.dumps(m.title, ensure_ascii=False)}\n"
        f"description: {json.dumps(description, ensure_ascii=False)}\n---\n\n"
        f"# {m.title} {{: .chart-page__title }}\n\n<!-- chart: {chart_id} -->\n\n{where}\n\n"
        f"## Claims that use this chart's data\n\n{claims}\n\n"
        f"## Share or embed\n\n{share}"
    )


# The embed page's text: 14px system font, about this many pixels a character on average, in a
# frame as narrow as a phone's column.
EMBED_CHAR_PX, EMBED_NARROW_FRAME, EMBED_LINE_PX = 7.6, 320, 20


def _frame_height(m: dict, site: Site) -> int:
    """The embed page's height in the tallest case: the taller of the wide and narrow pictures
    (each is shown at most at its own size), then its source line and link as wrapped in a frame
    as narrow as a phone's column."""
    picture = max(int(m.size.wide[1]), int(m.size.narrow[1]))
    labels = source_labels([site.registry[s] for s in m.declared_sources if s in site.registry])
    end = data_end(m)
    credit = f"Source: {m.credit}. " + "; ".join(labels) + "." + (f" {end}." if end else "")
    per_line = int((EMBED_NARROW_FRAME - 20) / EMBED_CHAR_PX)
    lines = -(-len(credit) // per_line) + 2  # the source line, one line to spare (words wrap early), the link
    return picture + lines * EMBED_LINE_PX + 40


def embed_html(chart_id: str, site: Site) -> str:
    """A page made for an <iframe>: the chart's picture (narrow in a narrow frame, dark under a
    dark system scheme, as on the section pages), its title and its source line. No script."""
    m = site.metas[chart_id]
    page = Page(f"{CHART_PAGES}/{chart_id}/embed/index.html", f"{CHART_PAGES}/{chart_id}/embed/")
    root = page.root
    links = "; ".join(
        source_links(m.declared_sources, site, lambda s: site.source_href(page, s), attrs=' target="_top"')
    )
    w, h = m.size.wide
    nw, nh = m.size.narrow
    base = f"{root}{settings.SITE_CHARTS}/{chart_id}"
    light, dark = theme.SCHEMES["light"], theme.SCHEMES["dark"]
    narrow, dark_media = "(max-width: 600px)", "(prefers-color-scheme: dark)"
    sources = "".join(
        f'<source media="{media}" srcset="{base}.{variant}.svg" width="{sw}" height="{sh}">'
        for media, variant, sw, sh in (
            (f"{narrow} and {dark_media}", "narrow.dark", nw, nh),
            (narrow, "narrow.light", nw, nh),
            (dark_media, "dark", w, h),
        )
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="color-scheme" content="light dark">'
        f"<title>{escape(m.title)}</title>"
        f"{_icon(root)}"
        # Search engines credit the chart's own page, not the frame made to be embedded.
        + (
            f'<link rel="canonical" href="{escape(site_base + CHART_PAGES, quote=True)}/{chart_id}/">'
            if (site_base := current_project().site_base())
            else ""
        )
        + f'<meta name="description" content="{escape(m.takeaway or m.title, quote=True)}">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'; style-src 'unsafe-inline'\">"
        "<style>body{margin:0;font:14px/1.4 system-ui,sans-serif;"
        f"color:{light['text']};background:{light['background']}}}"
        # The source line stands under the picture, as wide as it is shown.
        f"main{{max-width:{w}px;margin:0 auto}}@media {narrow}{{main{{max-width:{nw}px}}}}"
        "img{max-width:100%;height:auto;display:block}p{margin:.4em .6em}"
        # The chart's title is in its picture; the heading is there for screen readers and outlines.
        "h1{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}"
        f"a{{color:{light['link']}}}"
        # The dark picture's text is drawn for the charts' dark background.
        f"@media {dark_media}{{body{{color:{dark['text']};background:{dark['background']}}}a{{color:{dark['link']}}}}}"
        "</style></head><body><main>"
        f"<h1>{escape(m.title)}</h1>"
        f"<picture>{sources}"
        f'<img src="{base}.light.svg" alt="{escape(m.description, quote=True)}" width="{w}" height="{h}">'
        "</picture>"
        f"<p>Source: {escape(m.credit)}. {links}.{' ' + escape(data_end(m)) + '.' if data_end(m) else ''}</p>"
        f'<p><a href="../" target="_top">The chart, its data and its sources</a></p>'
        "</main></body></html>\n"
    )


def _icon(root: str) -> str:
    """The site's favicon, so the browser does not ask for a /favicon.ico that is not there."""
    icon = (current_project().config.get("theme") or {}).get("favicon")
    return f'<link rel="icon" href="{escape(root + icon, quote=True)}">' if icon else ""


def write_embeds(site: Site, out: Path) -> list[tuple[str, Path]]:
    written = []
    for chart_id in sorted(site.metas):
        path = out / chart_id / "embed" / "index.html"
        files.write_if_changed(path, embed_html(chart_id, site).encode())
        written.append((f"{CHART_PAGES}/{chart_id}/embed/index.html", path))
    return written


# --- under serve ------------------------------------------------------------------------------
# MkDocs renders every page on every rebuild, and a page per chart doubles the pages of a site
# with many charts. Under serve a chart page is rendered once and then reused as a static file
# until something it shows changes: its Markdown (claims and verdicts), its chart as the page
# shows it (data, sources, errors), or what every page shows (mkdocs.yml, page titles, templates).


def _cache() -> Path:
    return current_project().out / "chart-pages"


def serve_keys(contents: dict[str, str], site: Site) -> dict[str, str]:
    """For each chart page (its Markdown by chart id), a key of everything its HTML shows."""
    root = current_project().root
    theme_dir = (current_project().config.get("theme") or {}).get("custom_dir")
    shared_files = [root / settings.CONFIG_FILE, *(files.tree(root / theme_dir) if theme_dir else [])]
    shared = files.fingerprint(shared_files, json.dumps(blocks.page_titles(), sort_keys=True), root=root)
    return {
        chart_id: files.fingerprint(
            [],
            shared,
            content,
            chart_figure(chart_id, Page.for_file(f"{CHART_PAGES}/{chart_id}.md"), site),
        )[:24]
        for chart_id, content in contents.items()
    }


def cached_page(chart_id: str, key: str | None) -> Path | None:
    """The chart page rendered earlier in this serve session for exactly these inputs (for any,
    with `key` None), if there is one."""
    html, stamp = _cache() / chart_id / "index.html", _cache() / f"{chart_id}.key"
    return html if html.exists() and stamp.exists() and key in (None, stamp.read_text()) else None


def keep_page(chart_id: str, key: str, html: str, search_entries: list[dict]) -> None:
    """Keep a chart page as rendered, with its entries in the search index (a reused page is
    not indexed again)."""
    files.write_atomic(_cache() / chart_id / "index.html", html.encode())
    files.write_atomic(_cache() / f"{chart_id}.search.json", json.dumps(search_entries).encode())
    files.write_atomic(_cache() / f"{chart_id}.key", key.encode())


def kept_search_entries(chart_id: str) -> list[dict]:
    path = _cache() / f"{chart_id}.search.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
