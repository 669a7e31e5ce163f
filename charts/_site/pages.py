"""What a page's markers become: charts, claim cards, figures from the data, generated tables.

Authors write prose and one-line markers; this module turns them into HTML at build time,
so a page never holds chart JSON and a figure in the prose cannot drift from the data:

    <!-- chart: robot_installations -->        a figure: static SVG, caption, sources, downloads, table
    <!-- claims -->                           the claim cards of this page's section
    <!-- claim: C04 C05 -->                   particular claim cards
    {{ data robot_installations.units year=2024 country=China }}    one value from a dataset
    {{ claim C08 }}                           what the data give for a claim (with its unit)
    {{ essay C08 }}                           the essay's own figure for a claim, from the ledger
    {{ method tolerance }}                    the verdict rule's tolerances (tolerance, close)
    <!-- fact-check -->  <!-- sources -->     the generated Fact-check table and source registry

Unknown ids and selectors that do not match exactly one row are errors naming the page.
"""
from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlparse

from charts import data as D
from charts._site import claims as C
from charts._site import paths
from charts._site.problems import Problem, ProblemsError

CHART_RE = re.compile(r"<!--\s*chart:\s*([\w-]+)\s*-->")
CLAIMS_RE = re.compile(r"<!--\s*claims\s*-->")
CLAIM_RE = re.compile(r"<!--\s*claim:\s*([C\d\s]+?)\s*-->")
DATA_RE = re.compile(r"\{\{\s*data\s+([\w]+)\.([\w]+)((?:\s+[\w]+=(?:\"[^\"]*\"|[^\s}|]+))*)\s*(?:\|\s*([^}]+?))?\s*\}\}")
CLAIMVAL_RE = re.compile(r"\{\{\s*claim\s+(C\d+)\s*(?:\|\s*([^}]+?))?\s*\}\}")
ESSAY_RE = re.compile(r"\{\{\s*essay\s+(C\d+)\s*\}\}")
METHOD_RE = re.compile(r"\{\{\s*method\s+(tolerance|close)\s*\}\}")
BLOCK_RE = re.compile(r"<!--\s*(fact-check|sources)\s*-->")
ANY_MARKER_RE = re.compile(r"\{\{.*?\}\}")
ASSETS = "assets/charts"

VERDICT_CLASS = {
    "matches": "ok", "close": "ok", "different year": "warn", "partly supported": "warn",
    "different figure": "bad", "not found": "bad", "contradicts itself": "bad", "not checkable": "neutral",
}


def esc(s: Any) -> str:
    return html.escape("" if s is None else str(s), quote=True)


# --- numbers ---------------------------------------------------------------------------------

def fmt_number(v: float, spec: str | None = None) -> str:
    if spec:
        return format(v, spec.strip())
    if float(v).is_integer():
        return f"{v:,.0f}"
    return f"{v:,.2f}".rstrip("0").rstrip(".") if abs(v) < 100 else f"{v:,.1f}".rstrip("0").rstrip(".")


def fmt_with_unit(v: float, unit: str, spec: str | None = None) -> str:
    if unit == "times":
        return f"{format(v, spec or '.1f')}×"
    if unit == "percent":
        return f"{format(v, spec or '.1f')}%"
    if unit == "US$ per kWh":
        return f"${format(v, spec or '.2f')} per kWh"
    if unit == "US$ billion":
        return f"${fmt_number(v, spec)} billion"
    n = fmt_number(v, spec)
    return f"{n} {unit}" if unit else n


# --- context ---------------------------------------------------------------------------------

@dataclass
class Page:
    """Where the markers sit: the Markdown file and the page's URL (for relative links)."""
    src: str          # e.g. "two-different-roads.md"
    url: str          # e.g. "two-different-roads/" ("" for the home page)

    @property
    def stem(self) -> str:
        return Path(self.src).stem

    @property
    def root(self) -> str:
        """The relative path from this page to the site root."""
        depth = self.url.count("/")
        return "../" * depth if depth else "./"


@dataclass
class Site:
    """What the expansion needs, read once per build."""
    metas: dict[str, dict[str, Any]]
    results: dict[str, C.Result]
    registry: dict[str, dict[str, Any]]
    chart_errors: dict[str, str] = field(default_factory=dict)   # serve mode: shown on the page

    @classmethod
    def load(cls, chart_errors: dict[str, str] | None = None) -> "Site":
        metas = {}
        for p in sorted((paths.out_dir() / "charts").glob("*.meta.json")):
            m = json.loads(p.read_text(encoding="utf-8"))
            metas[m["id"]] = m
        results = {r.id: r for r in C.evaluate_all()}
        return cls(metas, results, D.sources_by_id(), chart_errors or {})


def expand(markdown: str, page: Page, site: Site) -> str:
    """The page's Markdown with every marker replaced; raises ProblemsError naming the page."""
    problems: list[Problem] = []
    where = f"docs/{page.src}"

    def sub(regex: re.Pattern, fn: Callable[[re.Match], str], text: str) -> str:
        def wrap(m: re.Match) -> str:
            try:
                return fn(m)
            except (KeyError, LookupError, ValueError, C.EvidenceError) as e:
                msg = e.args[0] if e.args else str(e)
                problems.append(Problem(where, line_of_in(text, m), "", str(msg), "marker"))
                return m.group(0)
        return regex.sub(wrap, text)

    def line_of_in(text: str, m: re.Match) -> int:
        # Lines refer to the author's file; markers expand in order, so count in the original.
        idx = markdown.find(m.group(0))
        return markdown.count("\n", 0, idx) + 1 if idx >= 0 else text.count("\n", 0, m.start()) + 1

    placed: set[str] = set()
    out = sub(CHART_RE, lambda m: chart_figure(m.group(1), page, site), markdown)
    out = sub(CLAIM_RE, lambda m: claim_cards(m.group(1).split(), page, site, placed), out)
    out = sub(CLAIMS_RE, lambda m: claim_cards(section_claims(page, site, placed), page, site, placed), out)
    out = sub(DATA_RE, lambda m: data_value(m), out)
    out = sub(CLAIMVAL_RE, lambda m: claim_value(m.group(1), m.group(2), site), out)
    out = sub(ESSAY_RE, lambda m: essay_value(m.group(1), site), out)
    out = sub(METHOD_RE, lambda m: f"{(C.DEFAULT_TOLERANCE if m.group(1) == 'tolerance' else C.CLOSE) * 100:.0f}%", out)
    out = sub(BLOCK_RE, lambda m: block(m.group(1), page, site), out)
    for m in ANY_MARKER_RE.finditer(out):
        if "{{" in m.group(0) and not m.group(0).startswith("{{{"):
            problems.append(Problem(where, line_of_in(out, m), "", f"unrecognised marker {m.group(0)!r}", "marker"))
    if problems:
        raise ProblemsError(problems, "problem(s) in page markers")
    return out


# --- charts ----------------------------------------------------------------------------------

def source_label(s: dict[str, Any]) -> str:
    producer = s["producer"].split(" (")[0]
    host = urlparse(s["url_main"]).netloc.removeprefix("www.")
    label = f"{producer} ({host})" if host and host not in producer.lower() else producer
    # A reader should see at a glance when a figure rests on a weak page.
    return f"{label}, low-reliability page" if s.get("reliability") == "low" else label


def chart_figure(chart_id: str, page: Page, site: Site) -> str:
    if chart_id in site.chart_errors:
        box = error_box(f"Chart '{chart_id}' failed to build", site.chart_errors[chart_id])
        # Under make serve the last good version of the chart stays below the error.
        return box + ("\n" + chart_figure(chart_id, page, Site(site.metas, site.results, site.registry)) if chart_id in site.metas else "")
    if chart_id not in site.metas:
        raise KeyError(f"unknown chart id '{chart_id}' (no charts/{chart_id}.py, or it was not built)")
    m = site.metas[chart_id]
    base = f"{page.root}{ASSETS}/{chart_id}"
    alt = esc(m["description"])

    def picture(scheme: str) -> str:
        w, h = m["size"]["wide"]
        nw, nh = m["size"]["narrow"]
        return (f'<picture class="chart__pic chart__pic--{scheme}">'
                f'<source media="(max-width: 600px)" srcset="{base}.narrow.{scheme}.svg" width="{nw}" height="{nh}">'
                f'<img src="{base}.{scheme}.svg" alt="{alt}" width="{w}" height="{h}" loading="lazy" decoding="async">'
                f"</picture>")

    declared = m["declared_sources"]
    others = [s for s in m["sources"] if s not in declared]
    links = [f'<a href="{page.root}sources/#{esc(s)}">{esc(source_label(site.registry[s]))}</a>' for s in declared]
    more = ""
    if others:
        hosts = [f'<a href="{page.root}sources/#{esc(s)}">{esc(urlparse(site.registry[s]["url_main"]).netloc.removeprefix("www."))}</a>'
                 for s in others]
        more = f' <span class="chart__more">Row by row also: {", ".join(hosts)}.</span>'
    return "\n".join([
        f'<figure class="chart" id="chart-{chart_id}" data-chart="{chart_id}" data-spec="{base}.vl.json">',
        f'<div class="chart__static">{picture("light")}{picture("dark")}</div>',
        '<div class="chart__live" aria-hidden="true"></div>',
        "<figcaption>",
        f'<p class="chart__takeaway">{esc(m["takeaway"])}</p>',
        f'<p class="chart__sources">Sources: {"; ".join(links)}.{more}</p>',
        f'<p class="chart__downloads">Download: <a href="{base}.csv" download>data (CSV)</a> · '
        f'<a href="{base}.light.svg" download>SVG</a> · <a href="{base}.png" download>PNG</a> · '
        f'<a href="{base}.vl.json" download>Vega-Lite spec</a></p>',
        "</figcaption>",
        data_table(m, page, site),
        "</figure>",
    ])


def data_table(m: dict[str, Any], page: Page, site: Site) -> str:
    cols = m["table"]["columns"]
    head = "".join(f'<th scope="col">{esc(c.replace("_", " "))}</th>' for c in cols)
    rows = []
    for r in m["table"]["rows"]:
        cells = []
        for c, v in zip(cols, r):
            if (c == "source" or c.startswith("source_")) and v in site.registry:
                cells.append(f'<td><a href="{page.root}sources/#{esc(v)}">{esc(v)}</a></td>')
            elif isinstance(v, (int, float)) and not isinstance(v, bool) and c not in ("year",):
                cells.append(f'<td class="num">{esc(fmt_number(v))}</td>')
            else:
                cells.append(f"<td>{esc(v)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<details class="chart__table"><summary>Table: the data behind this chart</summary>'
            f'<div class="chart__scroll" tabindex="0" role="region" aria-label="Data for {esc(m["title"])}">'
            f'<table><caption>{esc(m["title"])}</caption><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div></details>')


def error_box(title: str, detail: str) -> str:
    return (f'<div class="admonition failure build-error" role="alert"><p class="admonition-title">{esc(title)}</p>'
            f"<pre>{esc(detail)}</pre><p>The last good version stays in place until this is fixed.</p></div>")


# --- claims -----------------------------------------------------------------------------------

def section_claims(page: Page, site: Site, placed: set[str]) -> list[str]:
    return [cid for cid, r in site.results.items() if r.claim["section"] == page.stem and cid not in placed]


def claim_sources(result: C.Result) -> list[str]:
    """A claim's sources: the evidence rows' (derived) first, then any it lists."""
    out: list[str] = []
    for sel in (result.claim.get("compare") or {}).get("of", []):
        row = D.select(sel["dataset"], sel["where"])
        out += [s for s in row["source"].astype(str) if s not in out]
    out += [s for s in result.claim.get("sources", []) if s not in out]
    return out


def what_data_say(r: C.Result) -> str:
    c = r.claim
    if not r.computed:
        return c["finding"]
    unit = c["figure"]["unit"]
    year = f" ({r.data_year})" if r.data_year else ""
    text = f"The data give {fmt_with_unit(r.data_value, unit)}{year}."
    return f"{text} {c['note']}" if c.get("note") else text


def essay_figure(c: dict[str, Any]) -> str:
    fig = c.get("figure")
    if not fig:
        return ""
    v = fig["value"]
    s = fmt_with_unit(float(v), fig["unit"], ",.0f" if isinstance(v, int) else None) if isinstance(v, (int, float)) else str(v)
    return f"{s}{', ' + str(fig['year']) if fig.get('year') else ''}"


def claim_cards(ids: list[str], page: Page, site: Site, placed: set[str]) -> str:
    cards = []
    for cid in ids:
        if cid not in site.results:
            raise KeyError(f"unknown claim id '{cid}' (not in data/claims.yaml)")
        placed.add(cid)
        r = site.results[cid]
        c = r.claim
        srcs = ", ".join(f'<a href="{page.root}sources/#{esc(s)}">{esc(source_label(site.registry[s]))}</a>' for s in claim_sources(r))
        how = "computed from the data" if r.computed else "from the sources"
        fig = essay_figure(c)
        cards.append("\n".join([
            f'<div class="claim claim--{VERDICT_CLASS[r.verdict]}" id="claim-{cid}">',
            f'<p class="claim__head"><span class="claim__id">{cid}</span> '
            f'<span class="claim__verdict">{esc(r.verdict)}</span> <span class="claim__how">({how})</span></p>',
            f'<blockquote class="claim__quote"><p>“{esc(c["quote"])}”</p></blockquote>',
            f'<p class="claim__essay"><strong>The essay:</strong> {esc(fig)}</p>' if fig else "",
            f'<p class="claim__data"><strong>What the data say:</strong> {esc(what_data_say(r))}</p>',
            f'<p class="claim__sources"><strong>Sources:</strong> {srcs}</p>',
            "</div>",
        ]))
    return '<div class="claims">\n' + "\n".join(cards) + "\n</div>"


# --- values in prose ---------------------------------------------------------------------------

ARG_RE = re.compile(r"([\w]+)=(\"[^\"]*\"|[^\s}|]+)")


def data_value(m: re.Match) -> str:
    name, column, args, spec = m.group(1), m.group(2), m.group(3) or "", m.group(4)
    if name not in D.dataset_names():
        raise KeyError(f"unknown dataset '{name}' in {m.group(0)!r}")
    where = {k: v.strip('"') for k, v in ARG_RE.findall(args)}
    if not where:
        raise ValueError(f"{m.group(0)!r} needs at least one column=value selector")
    try:
        v = D.value(name, where, column)
    except LookupError as e:
        raise LookupError(f"{m.group(0)!r}: {e.args[0]}") from None
    if column == "year" and not spec:
        return str(int(v))
    return fmt_number(v, spec)


def essay_value(cid: str, site: Site) -> str:
    if cid not in site.results:
        raise KeyError(f"unknown claim id '{cid}'")
    fig = site.results[cid].claim.get("figure")
    if not fig:
        raise ValueError(f"claim {cid} records no figure from the essay")
    v = fig["value"]
    if not isinstance(v, (int, float)):
        return str(v)
    # As the essay wrote it: a whole number stays whole ("54%", not "54.0%").
    return fmt_with_unit(float(v), fig["unit"], ",.0f" if isinstance(v, int) else None)


def claim_value(cid: str, spec: str | None, site: Site) -> str:
    if cid not in site.results:
        raise KeyError(f"unknown claim id '{cid}'")
    r = site.results[cid]
    if not r.computed:
        raise ValueError(f"claim {cid} is not computed from data, so it has no value to insert")
    return fmt_with_unit(r.data_value, r.claim["figure"]["unit"], spec)


# --- generated blocks -----------------------------------------------------------------------------

def block(kind: str, page: Page, site: Site) -> str:
    from charts._site import registry_page
    if kind == "sources":
        return registry_page.sources_html(page, site)
    return registry_page.fact_check_html(page, site)
