"""The HTML fragments pages are made of: chart figures, claim cards, figures from the data.

`markers.py` decides where they go; `blocks.py` builds the generated Sources and Fact-check
content from the same pieces.
"""

from __future__ import annotations

import dataclasses
import html
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from explainer.content.cite import front_title
from explainer.core import claims as C
from explainer.core import data as D
from explainer.core import files, history, provenance, settings
from explainer.core import source_quality as footing
from explainer.core.problems import Problem, did_you_mean
from explainer.core.project import Project, current_project
from explainer.core.records import ChartMeta, Claim, Source

CHART_RE = re.compile(r"<!--\s*chart:\s*([\w-]+)\s*-->")
CLAIMS_RE = re.compile(r"<!--\s*claims\s*-->")
CLAIM_RE = re.compile(r"<!--\s*claim:\s*([\w\s-]+?)\s*-->")
DATA_RE = re.compile(
    r"\{\{\s*data\s+([\w]+)\.([\w]+)((?:\s+[\w]+=(?:\"[^\"]*\"|[^\s}|]+))*)\s*(?:\|\s*([^}]+?))?\s*\}\}"
)
CLAIMVAL_RE = re.compile(r"\{\{\s*claim\s+([\w-]+)\s*(?:\|\s*([^}]+?))?\s*\}\}")
ESSAY_RE = re.compile(r"\{\{\s*essay\s+([\w-]+)\s*\}\}")
METHOD_RE = re.compile(r"\{\{\s*method\s+(tolerance|close|quote_words)\s*\}\}")
BLOCK_RE = re.compile(
    r"<!--\s*(fact-check|sources|scorecard|verdict-scale|verdict-rules|source-ratings|changes|corrections"
    r"|maintainers|funding|report-error|annotated-essay)\s*-->"
)
ANY_MARKER_RE = re.compile(r"\{\{.*?\}\}")
CHART_PAGES = "charts"  # a page per chart at charts/<chart_id>/ (explainer.content.chartpages)


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
    template, default_spec = settings.UNIT_FORMATS.get(unit, (None, None))
    if template:
        n = format(v, spec or default_spec) if (spec or default_spec) else fmt_number(v)
        return template.format(n=n)
    n = fmt_number(v, spec)
    return f"{n} {unit}" if unit else n


# --- context ---------------------------------------------------------------------------------


@dataclass
class Page:
    """Where the markers sit: the Markdown file and the page's URL (for relative links)."""

    src: str  # the file in docs/, e.g. "section.md"
    url: str  # its URL, e.g. "section/" ("" for the home page)

    @classmethod
    def for_file(cls, src: str) -> "Page":
        """The page a docs/ file becomes, with MkDocs' directory URLs."""
        stem = Path(src).with_suffix("").as_posix()
        return cls(
            src, "" if stem == "index" else stem.removesuffix("index") if stem.endswith("/index") else stem + "/"
        )

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

    metas: dict[str, ChartMeta]
    results: dict[str, C.Result]
    registry: dict[str, Source]
    chart_errors: dict[str, str] = field(default_factory=dict)  # serve mode: shown on the page
    blocks: dict[str, str] = field(default_factory=dict)  # generated block -> URL of the page holding it
    project: Project | None = None  # the project the build reads (None: the process's)

    @classmethod
    def load(cls, chart_errors: dict[str, str] | None = None, project: Project | None = None) -> "Site":
        project = project or current_project()
        metas = {}
        for p in sorted(project.chart_files.glob("*.meta.json")):
            m = ChartMeta.from_dict(json.loads(p.read_text(encoding="utf-8")))
            metas[m.id] = m
        results = {r.id: r for r in C.evaluate_all(project)}
        return cls(metas, results, D.sources_by_id(project), chart_errors or {}, block_pages(), project)

    def source_href(self, page: "Page", sid: str) -> str:
        """Where a source's entry stands: on the page that holds the registry (<!-- sources -->),
        else the page the figure was read in."""
        if "sources" not in self.blocks:
            return self.registry[sid].url_main
        return f"{page.root}{self.blocks['sources']}#{sid}"

    def fact_check_href(self, page: "Page", cid: str) -> str:
        return f"{page.root}{self.blocks.get('fact-check', '')}#{cid.lower()}"


def block_pages() -> dict[str, str]:
    """The URL of the page that holds each generated block, found in docs/ (never named in code)."""
    found: dict[str, str] = {}
    for md in sorted(current_project().docs.rglob("*.md")):
        for kind in BLOCK_RE.findall(md.read_text(encoding="utf-8")):
            found.setdefault(kind, Page.for_file(md.relative_to(current_project().docs).as_posix()).url)
    return found


# --- charts ----------------------------------------------------------------------------------


def source_labels(entries: list[Source]) -> list[str]:
    """Labels for links shown side by side: two that would read the same are told apart by the
    date each page was published (its year first; a year in a title can name a forecast's horizon,
    not the page's date), else by the title."""
    base = [source_label(e) for e in entries]
    labels = list(base)
    for i, e in enumerate(entries):
        twins = [j for j, b in enumerate(base) if b == base[i]]
        if len(twins) < 2:
            continue
        dates = [str(entries[j].date_published or "") for j in twins]
        mine = str(e.date_published or "")
        if mine and [d[:4] for d in dates].count(mine[:4]) == 1:
            labels[i] += f", {mine[:4]}"
        elif mine and dates.count(mine) == 1:
            labels[i] += f", {mine}"
        else:
            labels[i] += f", “{e.title}”"
    return labels


def source_links(ids: list[str], site: "Site", href: Callable[[str], str], attrs: str = "") -> list[str]:
    """Links to registry entries, labelled (and told apart) by `source_labels`."""
    ids = [s for s in ids if s in site.registry]
    labels = source_labels([site.registry[s] for s in ids])
    return [f'<a href="{esc(href(s))}"{attrs}>{esc(label)}</a>' for s, label in zip(ids, labels)]


def source_label(s: Source) -> str:
    """Whose figures, and who published the page read: "IFR figures, via a copy in sjaubert/Cours-IA
    (GitHub)"; the producer alone only for its own page (sites declared in producers.yaml)."""
    label = provenance.label(s, D.producers(), figures=s.id in footing.data_source_ids())
    # A reader should see at a glance when a figure rests on a weak page.
    return f"{label}, low-reliability page" if s.reliability == "low" else label


def byline(page: Page, title: str = "") -> str:
    """ "By … · Published … · Updated … · Corrected … · Report an error", each part only when known.
    The author links to the page that says who keeps the site (`<!-- maintainers -->`), if any."""
    from explainer.core import corrections as fixes

    author = current_project().extra.get("byline")
    published, updated = history.page_dates(page.src)
    about = block_pages().get("maintainers")
    if author and about is not None and about != page.url:
        parts = [f'By <a href="{page.root}{about}">{esc(author)}</a>']
    else:
        parts = [f"By {esc(author)}"] if author else []
    if published:
        parts.append(f'Published <time datetime="{published}">{fixes.long_date(published)}</time>')
    if updated and updated != published:
        parts.append(f'Updated <time datetime="{updated}">{fixes.long_date(updated)}</time>')
    corrected = page_fixes(page)
    if corrected:
        parts.append(f'<a href="#page-corrections">Corrected {esc(fixes.long_date(corrected[0].date))}</a>')
    report = report_link(page, title or page_title(page))
    if report:
        parts.append(report)
    return f'<p class="byline">{" · ".join(parts)}</p>' if parts else ""


def cite_block(page: Page, title: str) -> str:
    """ "Cite this page": the citation in words and as BibTeX, folded."""
    from explainer.content import cite

    words, bib = cite.page_citation(title, page.url, *history.page_dates(page.src))
    return (
        '<details class="cite"><summary>Cite this page</summary>'
        f'<p class="cite__words">{esc(words)}</p><pre class="cite__bibtex"><code>{esc(bib)}</code></pre></details>'
    )


MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip


def _when(v: Any) -> tuple[int, int | None] | None:
    """A table cell as (year, month or None): 2024, "2024", "2024-08", "2024-08-31", "2025-2029" (its
    end). A first-of-month day is not trusted to be a real day, only its month."""
    if isinstance(v, (list, tuple)) and v:  # a table cell with its precision: ["2024", "year"]
        v = v[0]
    text = str(v).strip() if v is not None else ""
    m = re.fullmatch(r"((?:19|20)\d\d)(?:\.0)?(?:-(\d\d)(?:-\d\d)?)?", text)
    if m:
        return int(m.group(1)), int(m.group(2)) if m.group(2) else None
    m = re.fullmatch(r"(?:19|20)\d\d\s*[-–]\s*((?:19|20)\d\d)", text)
    return (int(m.group(1)), None) if m else None


def _latest(rows: list[dict[str, Any]], trusted: set[str] | None = None) -> tuple[int, int | None] | None:
    """The latest time in rows that carry a time column (settings.TIME_COLUMNS, the first present). With
    `trusted`, a month counts only when the cell's text is a time the data themselves give (a
    plotting position such as a mid-year "2025-07-01" is read as its year)."""
    if not rows:
        return None
    col = next((c for c in settings.TIME_COLUMNS if any(c in r for r in rows)), None)
    whens = []
    for r in rows:
        cell = r.get(col) if col else None
        cell = cell[0] if isinstance(cell, (list, tuple)) and cell else cell
        w = _when(cell)
        if w and w[1] and trusted is not None and str(cell).strip() not in trusted:
            w = (w[0], None)
        if w:
            whens.append(w)
    # A year alone is a figure for the whole year (a count at its end): later than any month of it.
    return max(whens, key=lambda w: (w[0], w[1] or 13)) if whens else None


def _words(when: tuple[int, int | None]) -> str:
    year, month = when
    return f"{MONTHS[month - 1]} {year}" if month else str(year)


def data_end(m: ChartMeta) -> str:
    """When a chart's data end, computed from its table ("Data to August 2024"); forecasts are named
    apart ("; projections to 2029"). A table that gives only years takes the month from its
    datasets when they end in that same year."""
    cols = [c.name for c in m.table.columns]
    rows = [dict(zip(cols, r)) for r in m.table.rows]
    projected = {t.name for t in settings.STATUSES if t.name == "projected"}
    data_rows = {
        name: [r for r in D.rows(name) if r.get("status") not in projected]
        for name in m.datasets
        if name in D.dataset_names()
    }
    trusted = (
        {
            str(r[c]).strip()
            for rs in data_rows.values()
            for r in rs
            for c in settings.TIME_COLUMNS
            if r.get(c) is not None
        }
        if data_rows
        else None
    )
    end = _latest([r for r in rows if r.get("status") not in projected], trusted)
    ahead = [r for r in rows if r.get("status") in projected]
    if end and end[1] is None:  # the table gives the year only: its datasets may say the month
        finer = [w for rs in data_rows.values() if (w := _latest(rs)) and w[0] == end[0]]
        end = max(finer, key=lambda w: w[1]) if finer and all(w[1] for w in finer) else end
    later = _latest(ahead)
    parts = [f"Data to {_words(end)}"] if end else []
    if later and (not end or later > end):
        parts.append(f"projections to {_words(later)}" if parts else f"Projections to {_words(later)}")
    return "; ".join(parts)


def chart_sources_anchor(chart_id: str) -> str:
    return f"pages-read-{chart_id}"


def host(url: str) -> str:
    """A page's site as readers are shown it: the address's host as written, less "www." (matching a
    page to its producer's sites is provenance's, on the normalised host)."""
    return urlparse(url).netloc.removeprefix("www.")


def chart_figure(chart_id: str, page: Page, site: Site) -> str:
    if chart_id in site.chart_errors:
        box = error_box(f"Chart '{chart_id}' failed to build", site.chart_errors[chart_id])
        # Under make serve the last good version of the chart stays below the error.
        return box + (
            "\n" + chart_figure(chart_id, page, dataclasses.replace(site, chart_errors={}))
            if chart_id in site.metas
            else ""
        )
    if chart_id not in site.metas:
        raise KeyError(
            f"unknown chart id '{chart_id}' (no charts/{chart_id}.py, or it was not built)"
            + did_you_mean(chart_id, site.metas)
        )
    m = site.metas[chart_id]
    base = f"{page.root}{settings.SITE_CHARTS}/{chart_id}"
    alt = esc(m.description)

    def picture(scheme: str) -> str:
        w, h = m.size.wide
        nw, nh = m.size.narrow
        return (
            f'<picture class="chart__pic chart__pic--{scheme}">'
            f'<source media="(max-width: 600px)" srcset="{base}.narrow.{scheme}.svg" width="{nw}" height="{nh}">'
            f'<img src="{base}.{scheme}.svg" alt="{alt}" width="{w}" height="{h}" loading="lazy" decoding="async">'
            f"</picture>"
        )

    links = source_links(m.declared_sources, site, lambda s: site.source_href(page, s))
    if len(m.sources) > len(m.declared_sources) and "sources" in site.blocks:
        href = f"{page.root}{site.blocks['sources']}#{chart_sources_anchor(chart_id)}"
        links.append(f'<a href="{esc(href)}">all {len(m.sources)} pages read</a>')
    own_page = f"{CHART_PAGES}/{chart_id}/"
    # Without a public address the chart's page offers no permalink or embed snippet: the link says
    # only where it leads.
    words = "Share or embed this chart" if current_project().site_base() else "This chart's own page"
    share = "" if page.url == own_page else f'. <a href="{page.root}{own_page}">{words}</a>'
    return "\n".join(
        [
            f'<figure class="chart" id="chart-{chart_id}" data-chart="{chart_id}" data-spec="{base}.vl.json">',
            f'<div class="chart__static">{picture("light")}{picture("dark")}</div>',
            '<div class="chart__live" aria-hidden="true"></div>',
            "<figcaption>",
            # The takeaway is the chart's own headline (drawn in the image): not repeated here.
            chart_source_line(m, links),
            f'<p class="chart__downloads">Download: <a href="{base}.csv" download>data (CSV)</a> · '
            f'<a href="{base}.light.svg" download>SVG</a> · <a href="{base}.png" download>PNG</a> · '
            f'<a href="{base}.vl.json" download>chart file (Vega-Lite)</a>{share}</p>',
            "</figcaption>",
            data_table(m, page, site),
            "</figure>",
        ]
    )


def table_source_ids(m: ChartMeta) -> list[str]:
    """The registry ids of the rows a chart plots (its table), weighted so that each row counts once."""
    cols = m.table.columns
    at = [i for i, c in enumerate(cols) if c.kind == "source"]
    per_row = []
    for row in m.table.rows:
        ids = []
        for i in at if len(row) == len(cols) else []:
            cell = row[i]
            ids += [str(s) for s in (cell if isinstance(cell, list) else [cell]) if s]
        per_row.append(ids)
    # Each plotted row counts once, shared among the pages its values were read in (a row read in two
    # pages counts half for each): so "x% of these figures" is a share of rows, not of pages.
    weight = math.lcm(*[len(ids) for ids in per_row if ids] or [1])
    return [sid for ids in per_row for sid in ids for _ in range(weight // len(ids))]


def chart_source_line(m: ChartMeta, links: list[str]) -> str:
    """ "Source: … Read at: … Data to …", and, when the chart's datasets could not be read first-hand,
    what they were read in (from the registry, footing.shortfall_words)."""
    end = data_end(m)
    short = footing.values_shortfall_words(table_source_ids(m))
    return (
        f'<p class="chart__sources">Source: {esc(m.credit)}. Read at: {"; ".join(links)}.'
        + (f" {esc(end)}." if end else "")
        + (f' <span class="chart__footing">{esc(short)}</span>' if short else "")
        + "</p>"
    )


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
_MONTHS = "January February March April May June July August September October November December".split()


def fmt_table_number(v: Any, kind: str = "number") -> str:
    """A figure as precisely as it is known, never more (no float noise) and never rounded to 0:
    scientific notation (2.1 × 10²⁵) for very large and very small magnitudes."""
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    if kind == "year":
        return str(int(v)) if float(v).is_integer() else str(v)
    x = float(f"{float(v):.12g}")  # the figure, less any floating-point noise
    if x != 0 and (abs(x) >= 1e15 or abs(x) < 1e-3):
        mantissa, exponent = repr(x).split("e") if "e" in repr(x) else f"{x:e}".split("e")
        mantissa = repr(float(f"{float(mantissa):.12g}")).removesuffix(".0")
        return f"{mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPT)}"
    if x.is_integer():
        return f"{x:,.0f}"
    whole, _, frac = repr(x).partition(".")
    return ("-" if x < 0 else "") + f"{abs(int(whole)):,}.{frac}"


def fmt_table_date(v: Any, precision: str | None = None) -> str:
    """A date at the precision it is known: "2024", "July 2024", or the day as written."""
    text = str(v or "")
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", text)
    if not m or not precision or precision == "day":
        return text
    if precision == "year" or not m.group(2):
        return m.group(1)
    return f"{_MONTHS[int(m.group(2)) - 1]} {m.group(1)}"


def data_table(m: ChartMeta, page: Page, site: Site) -> str:
    """The data behind a chart, for readers: their columns, headed by title and unit, figures at
    the precision known and right-aligned, sources by name linking to their entries."""
    cols = m.table.columns
    num = ' class="num"'
    head = "".join(f'<th scope="col"{num if c.kind == "number" else ""}>{esc(c.header)}</th>' for c in cols)
    rows = []
    for r in m.table.rows:
        cells = []
        for c, v in zip(cols, r):
            if c.kind == "source":
                ids = [s for s in (v if isinstance(v, list) else [v]) if s]
                links = source_links(ids, site, lambda s: site.source_href(page, s))
                unknown = [esc(s) for s in ids if s not in site.registry]
                cells.append(f"<td>{'; '.join(links + unknown)}</td>")
            elif c.kind == "date":
                value, precision = v if isinstance(v, list) else [v, c.precision]
                cells.append(f"<td>{esc(fmt_table_date(value, precision or c.precision))}</td>")
            elif c.kind in ("number", "year") and isinstance(v, (int, float)) and not isinstance(v, bool):
                cls = ' class="num"' if c.kind == "number" else ""
                cells.append(f"<td{cls}>{esc(fmt_table_number(v, c.kind))}</td>")
            else:
                cells.append(f"<td>{esc('' if v is None else v)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<details class="chart__table"><summary>Table: the data behind this chart</summary>'
        f'<div class="chart__scroll" tabindex="0" role="region" aria-label="Data for {esc(m.title)}">'
        f"<table><caption>{esc(m.title)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div></details>"
    )


def marker_error(marker: str, problem: Problem, inline: bool) -> str:
    """What stands in a page for a marker that failed: the marker and what is wrong with it."""
    if inline:  # braces escaped: the stand-in must not read as a marker itself
        shown = f"{files.esc_marker(marker)}: {files.esc_marker(problem.message)}"
        return f'<mark class="marker-error" role="alert">{shown}</mark>'
    return error_box(f"{problem.file}:{problem.line}: this marker failed", f"{marker}\n{problem.message}")


def error_box(title: str, detail: str) -> str:
    return (
        f'<div class="admonition failure build-error" role="alert"><p class="admonition-title">{esc(title)}</p>'
        f"<pre>{esc(detail)}</pre><p>The last good version stays in place until this is fixed.</p></div>"
    )


# --- claims -----------------------------------------------------------------------------------


def section_claims(page: Page, site: Site, placed: set[str]) -> list[str]:
    return [cid for cid, r in site.results.items() if r.claim.section == page.stem and cid not in placed]


def claim_sources(result: C.Result) -> list[str]:
    """A claim's sources: the evidence rows' (derived) first, then any it lists."""
    return C.sources_of(result.claim)


def what_data_say(r: C.Result) -> str:
    """What the data give and how the rules read it (a year found elsewhere, a floor, a cap and its
    reason), then the claim's note; a written claim's finding."""
    c = r.claim
    if not r.computed:
        return " ".join(p for p in (c.finding, r.how) if p)
    if c.compare.op in C.WORDED:
        text = r.how
    else:
        unit = c.figure.unit
        year = f" ({r.data_year})" if r.data_year else ""
        text = " ".join(p for p in (f"The data give {fmt_with_unit(r.data_value, unit)}{year}.", r.how) if p)
    if not c.note:
        return text
    # The note says what the figures are: it comes with them, before why a verdict was held lower.
    held = HELD_RE.search(text)
    if held:
        return f"{text[: held.start()].rstrip()} {c.note} {held.group(0).strip()}"
    return f"{text} {c.note}"


HELD_RE = re.compile(r"\s*Held at [^:]+:.*$", re.S)


def essay_figure(c: Claim) -> str:
    fig = c.figure
    if not fig:
        return ""
    v = fig.value
    s = (
        fmt_with_unit(float(v), fig.unit, ",.0f" if isinstance(v, int) else None)
        if isinstance(v, (int, float))
        else str(v)
    )
    lead = {"over": "over ", "under": "under "}.get(fig.reading, "")
    return f"{lead}{s}{', ' + str(fig.year) if fig.year else ''}"


def card_tone(r: C.Result) -> str:
    """The colour a card is shown in: its verdict's (a year slip is decided 'different year' by the
    rules, so a slipped figure is never shown as plainly right)."""
    return settings.tone(r.verdict)


def bottom_line(r: C.Result) -> str:
    """The card's verdict in one sentence of plain words."""
    c = r.claim
    term = next(t for t in settings.VERDICTS if t.name == r.verdict)
    if not r.computed or not c.figure:  # written, or checked without a number (a worded check)
        return term.meaning[0].upper() + term.meaning[1:] + "."
    data = fmt_with_unit(r.data_value, c.figure.unit)
    essay_year = c.figure.year
    if c.compare and c.compare.cap == r.verdict:
        return term.meaning[0].upper() + term.meaning[1:] + "."
    v = c.figure.value
    essay = fmt_with_unit(float(v), c.figure.unit, ",.0f" if isinstance(v, int) else None)
    return {
        "matches": f"The data give the essay's figure: {data}.",
        "close": f"Close: the essay says {essay}, the data give {data}.",
        "different year": f"The figure is right, but for {r.data_year}, not {essay_year}.",
        "different figure": f"The data give {data}, not the essay's {essay}.",
    }.get(r.verdict, term.meaning[0].upper() + term.meaning[1:] + ".")


def report_href(page: Page, title: str, claim: str | None = None) -> str | None:
    """A link that opens a prefilled correction report about this page (or one of its claims),
    or None when the site names no repository that takes them."""
    what = f"{title}: {current_project().site_base()}{page.url}"
    return settings.report_url(
        current_project().repo_url(),
        f"Correction: {claim + ' on ' if claim else ''}{title}",
        {"page": what, "claim": claim or ""},
    )


def report_link(page: Page, title: str, claim: str | None = None, text: str = "Report an error") -> str:
    href = report_href(page, title, claim)
    return f'<a class="report-error" href="{esc(href)}">{esc(text)}</a>' if href else ""


def page_fixes(page: Page) -> list:
    """The readers' corrections a page carries: its own, and on the page holding the Fact-check
    table (which lists every claim) every correction made to a claim, newest first."""
    from explainer.core import corrections as fixes

    found = fixes.for_page(page.stem)
    if block_pages().get("fact-check") == page.url:
        found += [c for c in fixes.corrections() if c.claim and c not in found]
    return sorted(found, key=lambda c: (c.date, c.line or 0), reverse=True)


def page_corrections(page: Page, site: Site | None = None, placed: set[str] = frozenset()) -> str:
    """The corrections made to this page, at its foot (see `corrections`). A correction that names
    a claim links to its card: on this page when the card is here, else in the Fact-check table."""
    from explainer.core import corrections as fixes

    found = page_fixes(page)
    if not found:
        return ""

    def where(cid: str | None) -> str:
        if not cid:
            return ""
        if cid in placed:
            return f' (<a href="#claim-{esc(cid)}">claim {esc(cid)}</a>)'
        if site is not None and "fact-check" in site.blocks:
            return f' (<a href="{esc(site.fact_check_href(page, cid))}">claim {esc(cid)}</a>)'
        return f" (claim {esc(cid)})"

    def pointer(cid: str, ks: list) -> str:
        """One line for a card on this page that carries its corrections in full (their anchors kept)."""
        k, more = ks[0], "".join(f'<span id="{esc(x.anchor)}"></span>' for x in ks[1:])
        n = "corrections are" if len(ks) > 1 else "correction is"
        return (
            f'<p class="correction" id="{esc(k.anchor)}">{more}<strong>Corrected on '
            f'<time datetime="{esc(k.date)}">{esc(fixes.long_date(k.date))}</time>:</strong> '
            f'the card for <a href="#claim-{esc(cid)}">claim {esc(cid)}</a>, where the {n} given in full.</p>'
        )

    items, pointed = [], set()
    for k in found:
        if k.claim in placed:  # its card on this page carries the correction in full: point to it, once
            if k.claim not in pointed:
                pointed.add(k.claim)
                items.append(pointer(k.claim, [x for x in found if x.claim == k.claim]))
        else:
            items.append(fixes.correction_html(k, where(k.claim)))
    items = "".join(items)
    return f'<section class="page-corrections" id="page-corrections" aria-label="Corrections">{items}</section>'


def claim_cards(ids: list[str], page: Page, site: Site, placed: set[str]) -> str:
    from explainer.core import corrections as fixes

    cards = []
    title = page_title(page)
    for cid in ids:
        if cid not in site.results:
            raise KeyError(f"unknown claim id '{cid}' (not in data/claims.yaml){did_you_mean(cid, site.results)}")
        placed.add(cid)
        r = site.results[cid]
        c = r.claim
        srcs = ", ".join(source_links(claim_sources(r), site, lambda s: site.source_href(page, s)))
        how = r.how_checked
        fig = essay_figure(c)
        report = report_link(page, title, cid, "Report an error in this card")
        cards.append(
            "\n".join(
                [
                    f'<div class="claim claim--{card_tone(r)}" id="claim-{cid}">',
                    f'<p class="claim__head"><span class="claim__verdict">{esc(r.verdict)}</span>'
                    f' <span class="claim__meta"><span class="claim__id">{cid}</span> · {how}</span></p>',
                    f'<p class="claim__bottom">{esc(bottom_line(r))}</p>',
                    f'<blockquote class="claim__quote"><p>“{esc(c.quote)}”</p></blockquote>',
                    f'<p class="claim__essay"><strong>The essay:</strong> {esc(fig)}</p>' if fig else "",
                    f'<p class="claim__data"><strong>What the data say:</strong> {esc(what_data_say(r))}</p>',
                    f'<p class="claim__sources"><strong>Sources:</strong> {srcs}</p>',
                    claim_footing(r),
                    "".join(fixes.correction_html(k, anchored=False) for k in fixes.for_claim(cid)),
                    essay_link(cid, page, site),
                    f'<p class="claim__report">{report}</p>' if report else "",
                    claim_review(r, page),
                    "</div>",
                ]
            )
        )
    return '<div class="claims">\n' + "\n".join(cards) + "\n</div>"


def evidence_source_ids(claim: Claim) -> list[str]:
    """The registry ids of a computed claim's evidence rows, one a value: what its card's figures
    were read in (not the whole dataset they come from)."""
    out: list[str] = []
    for sel in claim.compare.of if claim.compare else ():
        out += [str(s) for s in D.select(sel.dataset, sel.where)["source"]]
    return out


def claim_footing(r: C.Result) -> str:
    """On a computed card: what its data were read in, when that falls short of first-hand footing."""
    words = (
        footing.values_shortfall_words(evidence_source_ids(r.claim), "the figures compared here") if r.computed else ""
    )
    return f'<p class="claim__footing">{esc(words)}</p>' if words else ""


def page_title(page: Page) -> str:
    """The page's title as its front matter gives it (else its file's stem)."""
    path = current_project().docs / page.src
    title = front_title(path.read_text(encoding="utf-8")) if path.is_file() else None
    return title or page.stem


def essay_link(cid: str, page: Page, site: Site) -> str:
    """A link from a card back to its passage in the annotated essay, when the site has one."""
    if "annotated-essay" not in site.blocks:
        return ""
    href = f"{page.root}{site.blocks['annotated-essay']}#essay-{cid}"
    return f'<p class="claim__in-essay"><a href="{esc(href)}">Read it in the essay</a></p>'


LD_JSON_RE = re.compile(r'<script type="application/ld\+json">.*?</script>', re.S)


def structured_data_to_head(html_page: str) -> str:
    """JSON-LD blocks moved from the page body into <head>: crawlers read them there, and the
    theme's instant navigation, which re-inserts the scripts of the content it swaps in, never
    sees them."""
    blocks = LD_JSON_RE.findall(html_page)
    if not blocks or "</head>" not in html_page:
        return html_page
    body = LD_JSON_RE.sub("", html_page)
    return body.replace("</head>", "".join(blocks) + "</head>", 1)


def claim_review(r: C.Result, page: Page) -> str:
    """The card as schema.org ClaimReview (JSON-LD), so search engines and fact-check tools can
    find the verdict: the claim's words, where it appeared, the verdict and its place on the scale."""
    config = current_project().config
    site_url = current_project().site_base()
    term = next(t for t in settings.VERDICTS if t.name == r.verdict)
    rated = [t.rating for t in settings.VERDICTS if t.rating is not None]
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": r.verdict}
    if term.rating is not None:
        rating.update(ratingValue=term.rating, bestRating=max(rated), worstRating=min(rated))
    reviewed = history.ledger_date() or history.page_dates(page.src)[1]
    essay = config.get("extra", {}).get("essay") or {}
    review = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        **({"url": f"{site_url}{page.url}#claim-{r.id}"} if site_url else {}),
        "claimReviewed": r.claim.quote,
        "itemReviewed": {
            "@type": "Claim",
            "appearance": {
                "@type": "CreativeWork",
                "name": essay.get("title") or "the essay this site reads",
                **({"description": essay["provenance"]} if essay.get("provenance") else {}),
            },
            **({"author": {"@type": "Person", "name": essay["author"]}} if essay.get("author") else {}),
        },
        "author": {
            "@type": "Organization",
            "name": config.get("site_name") or "",
            **({"url": site_url} if site_url else {}),
        },
        "reviewRating": rating,
        **({"datePublished": reviewed} if reviewed else {}),
    }
    data = json.dumps(review, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    return f'<script type="application/ld+json">{data}</script>'


# --- values in prose ---------------------------------------------------------------------------

ARG_RE = re.compile(r"([\w]+)=(\"[^\"]*\"|[^\s}|]+)")


def data_value(m: re.Match) -> str:
    name, column, args, spec = m.group(1), m.group(2), m.group(3) or "", m.group(4)
    if name not in D.dataset_names():
        raise KeyError(f"unknown dataset '{name}' in {m.group(0)!r}{did_you_mean(name, D.dataset_names())}")
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
        raise KeyError(f"unknown claim id '{cid}'{did_you_mean(cid, site.results)}")
    fig = site.results[cid].claim.figure
    if not fig:
        raise ValueError(f"claim {cid} records no figure from the essay")
    v = fig.value
    if not isinstance(v, (int, float)):
        return str(v)
    # As the essay wrote it: a whole number stays whole ("54%", not "54.0%").
    return fmt_with_unit(float(v), fig.unit, ",.0f" if isinstance(v, int) else None)


def claim_value(cid: str, spec: str | None, site: Site) -> str:
    if cid not in site.results:
        raise KeyError(f"unknown claim id '{cid}'{did_you_mean(cid, site.results)}")
    r = site.results[cid]
    if not r.computed:
        raise ValueError(f"claim {cid} is not computed from data, so it has no value to insert")
    return fmt_with_unit(r.data_value, r.claim.figure.unit, spec)
