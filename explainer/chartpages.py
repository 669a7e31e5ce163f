"""A page per chart, at charts/<chart_id>/, and a minimal page to embed it.

The chart page holds the chart with its takeaway, source line, table and downloads, the claims
that rest on its data (as links to their cards), a short permalink and an embed snippet. The
embed page is static HTML with the chart's image and source line: no theme, no script.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from explainer import files, settings
from explainer.pages import ASSETS, Site, source_label

FOLDER = "charts"


def markdown(chart_id: str, site: Site) -> str:
    """The chart page as Markdown with markers (expanded like any other page)."""
    m = site.metas[chart_id]
    base = str(settings.site_config().get("site_url") or "").rstrip("/") + "/"
    url = f"{base}{FOLDER}/{chart_id}/"
    uses = [
        r.id
        for r in site.results.values()
        if {sel["dataset"] for sel in (r.claim.get("compare") or {}).get("of", [])} & set(m["datasets"])
    ]
    claims = (
        "<ul>"
        + "".join(
            f'<li><a href="{_card_href(site, cid)}">{cid}</a>: “{escape(site.results[cid].claim["quote"])}”</li>'
            for cid in uses
        )
        + "</ul>"
        if uses
        else "No checked claim rests on this chart's data."
    )
    embed = (
        f'<iframe src="{url}embed/" title="{escape(m["title"], quote=True)}" width="100%" height="520" '
        'style="border:0" loading="lazy"></iframe>'
    )
    description = (m["takeaway"] or m["title"]).replace("\n", " ")[:190]
    return (
        f'---\ntitle: "{m["title"].replace(chr(34), "")}"\ndescription: "{description.replace(chr(34), "")}"\n---\n\n'
        f"# {m['title']}\n\n<!-- chart: {chart_id} -->\n\n"
        f"## Claims that use this chart's data\n\n{claims}\n\n"
        f"## Share or embed\n\nPermalink: <{url}>\n\nTo embed the chart (its image and source line, no script):\n\n"
        f"```html\n{embed}\n```\n"
    )


def _card_href(site: Site, cid: str) -> str:
    """A claim's card on its section page, from a chart page (two folders down)."""
    section = site.results[cid].claim["section"]
    return f"../../{'' if section == 'index' else section + '/'}#claim-{cid}"


def embed_html(chart_id: str, site: Site) -> str:
    """A page made for an <iframe>: the chart's image, its title and its source line."""
    m = site.metas[chart_id]
    root = "../../../"

    def href(sid: str) -> str:
        if "sources" in site.blocks:
            return f"{root}{site.blocks['sources']}#{sid}"
        return site.registry[sid]["url_main"]

    links = "; ".join(
        f'<a href="{escape(href(s))}" target="_top">{escape(source_label(site.registry[s]))}</a>'
        for s in m["declared_sources"]
    )
    w, h = m["size"]["wide"]
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(m['title'])}</title>"
        f'<meta name="description" content="{escape(m["description"][:300], quote=True)}">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'; style-src 'unsafe-inline'\">"
        "<style>body{margin:0;font:14px/1.4 system-ui,sans-serif;color:#1f2328;background:#fff}"
        "img{max-width:100%;height:auto;display:block}p{margin:.4em .6em}a{color:#0b57d0}</style></head><body>"
        f'<img src="{root}{ASSETS}/{chart_id}.light.svg" alt="{escape(m["description"], quote=True)}" '
        f'width="{w}" height="{h}">'
        f"<p>Source: {escape(m['credit'])}. {links}.</p>"
        f'<p><a href="../" target="_top">{escape(m["title"])}: the chart, its data and its sources</a></p>'
        "</body></html>\n"
    )


def write_embeds(site: Site, out: Path) -> list[tuple[str, Path]]:
    written = []
    for chart_id in sorted(site.metas):
        path = out / chart_id / "embed" / "index.html"
        files.write_if_changed(path, embed_html(chart_id, site).encode())
        written.append((f"{FOLDER}/{chart_id}/embed/index.html", path))
    return written
