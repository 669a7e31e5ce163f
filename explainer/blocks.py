"""The generated pages: the source registry with "Used by", and the Fact-check table.

"Used by" is derived from what cites each source (dataset rows, charts, claims and the pages
that embed them), never kept by hand.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any
from urllib.parse import urlparse

from explainer import data as D
from explainer import settings
from explainer.pages import (
    CHART_RE,
    CLAIM_RE,
    CLAIMS_RE,
    Page,
    Site,
    claim_sources,
    esc,
    essay_figure,
    source_label,
    what_data_say,
)

FRONT_TITLE = re.compile(r"^---\s*\n(?:.*\n)*?title:\s*(.+)\n(?:.*\n)*?---", re.M)


def page_titles() -> dict[str, str]:
    """Markdown pages and their titles (front matter), keyed by stem."""
    out = {}
    for md in sorted(settings.docs_dir().glob("*.md")):
        m = FRONT_TITLE.match(md.read_text(encoding="utf-8"))
        out[md.stem] = m.group(1).strip().strip('"') if m else md.stem
    return out


def page_url(stem: str, root: str) -> str:
    return root if stem == "index" else f"{root}{stem}/"


def embeds() -> dict[str, dict[str, list[str]]]:
    """What each page embeds: {'charts': [...], 'claims': [...]} by page stem."""
    out: dict[str, dict[str, list[str]]] = {}
    claims_by_section = defaultdict(list)
    for c in D.claims():
        claims_by_section[c["section"]].append(c["id"])
    for md in sorted(settings.docs_dir().glob("*.md")):
        text = md.read_text(encoding="utf-8")
        charts = CHART_RE.findall(text)
        claims = [cid for group in CLAIM_RE.findall(text) for cid in group.split()]
        if CLAIMS_RE.search(text):
            claims += [c for c in claims_by_section[md.stem] if c not in claims]
        out[md.stem] = {"charts": charts, "claims": claims}
    return out


def usage(site: Site) -> dict[str, dict[str, list[str]]]:
    used: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for name in D.dataset_names():
        for sid in sorted(set(D.load(name)["source"].astype(str))):
            used[sid]["datasets"].append(name)
    chart_sources = {cid: m["sources"] for cid, m in site.metas.items()}
    for cid, srcs in chart_sources.items():
        for s in srcs:
            used[s]["charts"].append(cid)
    claim_srcs = {cid: claim_sources(r) for cid, r in site.results.items()}
    for cid, srcs in claim_srcs.items():
        for s in srcs:
            used[s]["claims"].append(cid)
    for stem, e in embeds().items():
        cited = {s for c in e["charts"] for s in chart_sources.get(c, [])} | {
            s for c in e["claims"] for s in claim_srcs.get(c, [])
        }
        for s in cited:
            used[s]["pages"].append(stem)
    return used


def _where_used(
    sid: str,
    u: dict[str, list[str]],
    page: Page,
    site: Site,
    titles: dict[str, str],
    chart_page: dict[str, str],
    claim_page: dict[str, str],
) -> str:
    items = []
    for stem in u.get("pages", []):
        items.append(f'<a href="{page_url(stem, page.root)}">{esc(titles.get(stem, stem))}</a> (page)')
    for cid in u.get("charts", []):
        title = site.metas[cid]["title"]
        target = (
            f"{page_url(chart_page[cid], page.root)}#chart-{cid}"
            if cid in chart_page
            else f"{page.root}assets/charts/{cid}.csv"
        )
        items.append(f'<a href="{target}">{esc(title)}</a> (chart)')
    for cid in u.get("claims", []):
        target = (
            f"{page_url(claim_page[cid], page.root)}#claim-{cid}"
            if cid in claim_page
            else site.fact_check_href(page, cid)
        )
        items.append(f'<a href="{target}">claim {cid}</a>')
    for name in u.get("datasets", []):
        items.append(f'<a href="{page.root}assets/data/{name}.csv">{esc(name)}.csv</a> (dataset)')
    return ", ".join(items) if items else "nothing yet"


def sources_html(page: Page, site: Site) -> str:
    used = usage(site)
    titles = page_titles()
    chart_page, claim_page = {}, {}
    for stem, e in embeds().items():
        for c in e["charts"]:
            chart_page.setdefault(c, stem)
        for c in e["claims"]:
            claim_page.setdefault(c, stem)
    entries = D.registry()
    kinds = Counter(e["kind"] for e in entries)
    rel = Counter(e["reliability"] for e in entries)
    summary = (
        f'<p class="sources__summary">{len(entries)} pages read. By kind: '
        + ", ".join(f"{esc(k)} {n}" for k, n in kinds.most_common())
        + ". By reliability of the page read: "
        + ", ".join(f"{k} {rel.get(k, 0)}" for k in ("high", "medium", "low"))
        + ".</p>"
    )
    # Entries are grouped under the dataset they feed (derived from the data, not kept by hand),
    # each group folded: the whole registry laid out at once cost a phone seconds of layout.
    # Browsers unfold a group when a link points into it or find-in-page matches inside it.
    titles_by_dataset = {name: D.schema(name)["title"] for name in D.dataset_names()}
    other = "Evidence for other claims"
    groups: dict[str, list[dict[str, Any]]] = {}
    for e in entries:
        first = (used.get(e["id"], {}).get("datasets") or [None])[0]
        groups.setdefault(titles_by_dataset.get(first, other), []).append(e)
    if other in groups:
        groups[other] = groups.pop(other)  # last
    out = [
        summary,
        '<ul class="source-groups">'
        + "".join(
            f'<li><a href="#{_slug(label)}">{esc(label)}</a> ({len(members)})</li>' for label, members in groups.items()
        )
        + "</ul>",
    ]
    for label, members in groups.items():
        out.append(f'<h2 id="{_slug(label)}">{esc(label)}</h2>')
        out.append(
            f'<details class="source-group"><summary>Show the {len(members)} pages read for this topic</summary>'
        )
        out += [_entry_html(e, page, site, used, titles, chart_page, claim_page) for e in members]
        out.append("</details>")
    return "\n".join(out)


def _slug(text: str) -> str:
    return "group-" + re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _entry_html(e: dict[str, Any], page: Page, site: Site, used, titles, chart_page, claim_page) -> str:
    """One registry entry: few elements, since the page lists every source."""
    sid = e["id"]
    host = urlparse(e["url_main"]).netloc.removeprefix("www.")
    read = f'<a href="{esc(e["url_main"])}" rel="noopener">{esc(host)}</a>'
    if e.get("url_archive"):
        read += f' (<a href="{esc(e["url_archive"])}" rel="noopener">archived copy</a>)'
    prim = esc(e.get("primary") or "")
    if prim and e.get("primary_url"):
        prim = f'<a href="{esc(e["primary_url"])}" rel="noopener">{prim}</a>'
    facts = (
        f"<b>Producer:</b> {esc(e['producer'])}. <b>Kind:</b> {esc(e['kind'])}. "
        f'<b>Reliability of this page:</b> <span class="rel rel--{esc(e["reliability"])}">'
        f"{esc(e['reliability'])}</span>. "
        f"<b>Published:</b> {esc(e.get('date_published') or 'date not shown')}. "
        f"<b>Read on:</b> {esc(e['date_accessed'])}. "
        f"<b>Licence:</b> {esc(e.get('license') or 'unknown')}."
    )
    where = f"<b>Where we read it:</b> {read}." + (f" <b>Original publication:</b> {prim}." if prim else "")
    notes = f'<p class="source__notes"><b>Notes:</b> {esc(e["notes"])}</p>' if e.get("notes") else ""
    used_by = _where_used(sid, used.get(sid, {}), page, site, titles, chart_page, claim_page)
    return (
        f'<section class="source" id="{esc(sid)}">'
        f'<h3 class="source__title">{esc(e["title"])}</h3>'
        f'<p class="source__citation">{esc(e["citation_full"])} <code>{esc(sid)}</code></p>'
        f'<p class="source__facts">{facts}<br>{where}</p>{notes}'
        f'<p class="source__used"><b>Used by:</b> {used_by}</p></section>'
    )


def fact_check_html(page: Page, site: Site) -> str:
    titles = page_titles()
    counts = Counter(r.verdict for r in site.results.values())
    claim_page = {c: stem for stem, e in embeds().items() for c in e["claims"]}
    badges = " ".join(
        f'<li class="claim--{settings.tone(v)}"><span class="claim__verdict">{esc(v)}</span> {counts[v]}</li>'
        for v in settings.names(settings.VERDICTS)
        if counts.get(v)
    )
    rows = []
    for cid, r in site.results.items():
        stem = r.claim["section"]
        link = f"{page_url(claim_page.get(cid, stem), page.root)}#claim-{cid}"
        srcs = claim_sources(r)
        src_links = ", ".join(
            f'<a href="{esc(site.source_href(page, s))}">{esc(source_label(site.registry[s]))}</a>' for s in srcs[:3]
        )
        if len(srcs) > 3:
            src_links += f", and {len(srcs) - 3} more"
        rows.append(
            f'<tr id="{cid.lower()}"><td><a href="{link}">{cid}</a></td>'
            f'<td><a href="{page_url(stem, page.root)}">{esc(titles.get(stem, stem))}</a></td>'
            f"<td>“{esc(r.claim['quote'])}”<br><small>{esc(essay_figure(r.claim))}</small></td>"
            f'<td class="claim--{settings.tone(r.verdict)}"><span class="claim__verdict">{esc(r.verdict)}</span>'
            f"<br><small>{'computed' if r.computed else 'written'}</small></td>"
            f"<td>{esc(what_data_say(r))}</td><td>{src_links}</td></tr>"
        )
    return (
        f'<p>{len(site.results)} claims checked.</p><ul class="verdict-counts">{badges}</ul>'
        '<div class="chart__scroll" tabindex="0" role="region" aria-label="All claims and verdicts">'
        '<table class="fact-check"><thead><tr><th scope="col">Claim</th><th scope="col">Section</th>'
        '<th scope="col">What the essay says</th><th scope="col">Verdict</th><th scope="col">What the data say</th>'
        '<th scope="col">Sources</th></tr></thead><tbody>' + "\n".join(rows) + "</tbody></table></div>"
    )
