"""The generated pages: the source registry with "Used by", and the Fact-check table.

"Used by" is derived from what cites each source (dataset rows, charts, claims and the pages
that embed them), never kept by hand.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from urllib.parse import urlparse

from explainer.content.cite import end_sentence, front_title
from explainer.content.fragments import (
    CHART_PAGES,
    CHART_RE,
    CLAIM_RE,
    CLAIMS_RE,
    Page,
    Site,
    card_tone,
    chart_sources_anchor,
    claim_sources,
    esc,
    essay_figure,
    host,
    source_links,
    what_data_say,
)
from explainer.core import claims as C
from explainer.core import data as D
from explainer.core import files, settings
from explainer.core import source_quality as footing
from explainer.core.project import current_project
from explainer.core.records import Source


def page_titles() -> dict[str, str]:
    """Markdown pages and their titles (front matter), keyed by stem."""
    out = {}
    for md in sorted(current_project().docs.glob("*.md")):
        out[md.stem] = front_title(md.read_text(encoding="utf-8")) or md.stem
    return out


def page_url(stem: str, root: str) -> str:
    """The URL of the page of docs/<stem>.md, from `root` (a page's relative path to the site root)."""
    return root + Page.for_file(f"{stem}.md").url


def card_href(cid: str, claim_page: dict[str, str], site: Site, root: str) -> str:
    """A claim's card where it stands (`claim_page`, from `where_shown`), else on its section's page."""
    return f"{page_url(claim_page.get(cid, site.results[cid].claim.section), root)}#claim-{cid}"


def embeds() -> dict[str, dict[str, list[str]]]:
    """What each page embeds: {'charts': [...], 'claims': [...]} by page stem."""
    out: dict[str, dict[str, list[str]]] = {}
    claims_by_section = defaultdict(list)
    for c in D.claims():
        claims_by_section[c.section].append(c.id)
    for md in sorted(current_project().docs.glob("*.md")):
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
    chart_sources = {cid: m.sources for cid, m in site.metas.items()}
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
        title = site.metas[cid].title
        target = (
            f"{page_url(chart_page[cid], page.root)}#chart-{cid}"
            if cid in chart_page
            else f"{page.root}{settings.SITE_CHARTS}/{cid}.csv"
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
        items.append(f'<a href="{page.root}{settings.SITE_DATA}/{name}.csv">{esc(name)}.csv</a> (dataset)')
    return ", ".join(items) if items else "nothing yet"


def footing_html() -> str:
    """Values by the kind and reliability of the page they were read in: overall, without a dataset
    whose weight alone would carry the headline, for the datasets behind the verdicts, and per
    dataset, with what falls short said in words."""
    total, by_dataset = footing.tally()

    def pct(t: footing.Tally, n: int) -> str:
        return f"{t.share(n):.0%}"

    def row(label: str, t: footing.Tally, tag: str = "td") -> str:
        cells = [t.values, pct(t, t.first_hand)] + [pct(t, t.reliability[r]) for r in RELIABILITY]
        return f"<tr><{tag}>{label}</{tag}>" + "".join(f'<td class="num">{c}</td>' for c in cells) + "</tr>"

    def title(name: str) -> str:
        return esc(D.schema(name)["title"])

    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in ["Dataset", "Values", "First-hand", *RELIABILITY])
    rows = [row(title(n), t) for n, t in by_dataset.items()]
    kinds = ", ".join(f"{esc(k)} {total.kind[k]}" for k in settings.names(settings.SOURCE_KINDS) if total.kind.get(k))
    summary = [
        f"Our datasets hold {total.values} values (one value is one row of a dataset). "
        f"{pct(total, total.first_hand)} of them were read first-hand: in the producer's own publication or data "
        "file, in official statistics, or in a dataset compiled from the producer's figures such as Our World in "
        f"Data's, on the compiler's own site. {pct(total, total.reliability['low'])} rest on pages we rate low: a "
        "blog, an aggregator, an anonymous transcription or an unknown site, kept only where no better page could "
        f"be read. Values by the kind of page read: {kinds}."
    ]
    foot = [row("All datasets", total, "th")]
    big = footing.largest(by_dataset, total)
    if big:
        rest = footing.combined([t for n, t in by_dataset.items() if n != big])
        share = by_dataset[big].values / total.values
        summary.append(
            f"That headline leans on one dataset: “{title(big)}” holds {by_dataset[big].values} of the values "
            f"({share:.0%}) by itself. Without it, {pct(rest, rest.first_hand)} of the other {rest.values} values "
            f"were read first-hand and {pct(rest, rest.reliability['low'])} rest on pages we rate low."
        )
        foot.append(row(f"All but {title(big)}", rest, "th"))
    behind = [n for n in footing.verdict_datasets() if n in by_dataset]
    if behind:
        v = footing.combined([by_dataset[n] for n in behind])
        summary.append(
            f"The {len(behind)} datasets the checked figures are computed from hold {v.values} values: "
            f"{pct(v, v.first_hand)} read first-hand, {pct(v, v.reliability['low'])} on pages we rate low."
        )
        foot.append(row("Datasets behind the verdicts", v, "th"))
    short = [n for n in by_dataset if footing.shortfall_words([n])]
    notes = "".join(f"<li><b>{title(n)}.</b> {esc(footing.shortfall_words([n]))}</li>" for n in short)
    if short:
        summary.append(
            f"For {len(short)} of the {len(by_dataset)} datasets, fewer than "
            f"{settings.FOOTING_TARGETS['first_hand_min']:.0%} of the values could be read first-hand here; their "
            "charts and claim cards say so, in the words listed below the table."
        )
    return (
        "".join(f'<p class="sources__summary">{p}</p>' for p in summary)
        + '<div class="chart__scroll sources__footing" tabindex="0" role="region"'
        ' aria-label="Values by source quality">'
        '<table class="footing"><caption>Where the values were read, by dataset (share of values; '
        "high, medium and low rate the page read)</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody>"
        f"<tfoot>{''.join(foot)}</tfoot></table></div>" + (f'<ul class="footing__short">{notes}</ul>' if notes else "")
    )


RELIABILITY = settings.names(settings.RELIABILITY)
KIND_ORDER = {k: i for i, k in enumerate(settings.names(settings.SOURCE_KINDS))}


def _values_by_producer() -> Counter:
    registry = D.sources_by_id()
    out: Counter = Counter()
    for name in D.dataset_names():
        for sid in D.load(name)["source"].astype(str):
            out[registry[sid].producer] += 1
    return out


def where_shown() -> tuple[dict[str, str], dict[str, str]]:
    """The first page (by stem) that shows each chart, and the page that holds each claim's card."""
    chart_page: dict[str, str] = {}
    claim_page: dict[str, str] = {}
    for stem, e in embeds().items():
        for c in e["charts"]:
            chart_page.setdefault(c, stem)
        for c in e["claims"]:
            claim_page.setdefault(c, stem)
    return chart_page, claim_page


def sources_html(page: Page, site: Site) -> str:
    """The bibliography: entries grouped by the producer of the figures, the producer's own
    publications and data first, then the copies and coverage where figures were read."""
    used = usage(site)
    titles = page_titles()
    chart_page, claim_page = where_shown()
    groups: dict[str, list[Source]] = defaultdict(list)
    for e in D.registry():
        groups[e.producer].append(e)
    values = _values_by_producer()
    order = sorted(groups, key=lambda p: (-values[p], -len(groups[p]), p.lower()))
    out = [
        footing_html(),
        f'<h2 id="producers">Producers</h2><p>{len(groups)} producers, {sum(map(len, groups.values()))} pages and '
        "files read. Under each producer, its own publications and data come first.</p>",
        '<ul class="source-groups">'
        + "".join(
            f'<li><a href="#{_slug(p)}">{esc(p)}</a> ({_count(len(groups[p]), "page")}'
            + (f", {_count(values[p], 'value')}" if values[p] else "")
            + ")</li>"
            for p in order
        )
        + "</ul>",
    ]
    for p in order:
        members = sorted(groups[p], key=lambda e: (KIND_ORDER[e.kind], RELIABILITY.index(e.reliability)))
        out.append(f'<h3 id="{_slug(p)}" class="source-group__title">{esc(p)}</h3>')
        # Folded: the whole registry laid out at once cost a phone seconds of layout. Browsers
        # unfold a group when a link points into it or find-in-page matches inside it. (Not also
        # in a content-visibility box as the blocks around it: without JavaScript, Chromium then
        # sometimes fails to scroll to an entry a link points to.)
        out.append(f'<details class="source-group"><summary>Show {_count(len(members), "page")} read</summary>')
        out += [_entry_html(e, page, site, used, titles, chart_page, claim_page) for e in members]
        out.append("</details>")
    out.append(_by_chart(page, site))
    return "\n".join(out)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _by_chart(page: Page, site: Site) -> str:
    """Every page read for each chart, the target of the chart's "all pages read" link."""
    parts = ['<h2 id="by-chart">Pages read for each chart</h2>']
    for cid, m in sorted(site.metas.items(), key=lambda kv: kv[1].title):
        links = ", ".join(source_links(m.sources, site, lambda s: f"#{s}"))
        title = f'<a href="{page.root}{CHART_PAGES}/{cid}/">{esc(m.title)}</a>'
        parts.append(f'<p id="{chart_sources_anchor(cid)}"><b>{title}:</b> {links}.</p>')
    return "\n".join(parts)


def _slug(text: str) -> str:
    return "producer-" + files.slug(text)


def _entry_html(e: Source, page: Page, site: Site, used, titles, chart_page, claim_page) -> str:
    """One registry entry: few elements, since the page lists every source."""
    sid = e.id
    read = f'<a href="{esc(e.url_main)}" rel="noopener">{esc(host(e.url_main))}</a>'
    if e.url_archive:
        read += f' (<a href="{esc(e.url_archive)}" rel="noopener">archived copy</a>)'
    prim = esc(e.primary or "")
    if prim and e.primary_url:
        prim = f'<a href="{esc(e.primary_url)}" rel="noopener">{prim}</a>'
    publisher = f"<b>Published by:</b> {esc(e.publisher)}. " if e.publisher else ""
    facts = (
        f"<b>Kind:</b> {esc(e.kind)}. {publisher}"
        f'<b>Reliability of this page:</b> <span class="rel rel--{esc(e.reliability)}">'
        f"{esc(e.reliability)}</span>. "
        f"<b>Published:</b> {esc(e.date_published or 'date not shown')}. "
        f"<b>Read on:</b> {esc(e.date_accessed)}. "
        f"<b>Licence:</b> {esc(e.license or 'unknown')}."
    )
    where = f"<b>Where we read it:</b> {read}." + (f" <b>Original publication:</b> {prim}." if prim else "")
    used_by = _where_used(sid, used.get(sid, {}), page, site, titles, chart_page, claim_page)
    return (
        f'<section class="source" id="{esc(sid)}">'
        f'<h4 class="source__title">{esc(e.title)}</h4>'
        f'<p class="source__citation">{esc(e.citation_full)} <code>{esc(sid)}</code></p>'
        f'<p class="source__facts">{facts}<br>{where}</p>'
        f'<p class="source__used"><b>Used by:</b> {used_by}.'
        f' <a class="source__cite" href="{page.root}{settings.SITE_DATA}/sources.bib">Cite</a>'
        f" (BibTeX key <code>{esc(sid)}</code>)</p></section>"
    )


def fact_check_html(page: Page, site: Site) -> str:
    titles = page_titles()
    counts = Counter(r.verdict for r in site.results.values())
    claim_page = where_shown()[1]
    badges = " ".join(
        f'<li class="claim--{settings.tone(v)}"><span class="claim__verdict">{esc(v)}</span> {counts[v]}</li>'
        for v in settings.names(settings.VERDICTS)
        if counts.get(v)
    )
    rows = []
    for cid, r in site.results.items():
        stem = r.claim.section
        link = card_href(cid, claim_page, site, page.root)
        srcs = claim_sources(r)
        most = settings.MAX_SOURCE_LINKS
        src_links = ", ".join(source_links(srcs[:most], site, lambda s: site.source_href(page, s)))
        if len(srcs) > most:
            src_links += f", and {len(srcs) - most} more"
        how = r.how_checked
        cells = [
            ("fc__id", f'<a href="{link}">{cid}</a>'),
            ("fc__section", f'<a href="{page_url(stem, page.root)}">{esc(titles.get(stem, stem))}</a>'),
            ("fc__essay", f"“{esc(r.claim.quote)}”<br><small>{esc(essay_figure(r.claim))}</small>"),
            (
                f"fc__verdict claim--{card_tone(r)}",
                f'<span class="claim__verdict">{esc(r.verdict)}</span><br><small>{how}</small>',
            ),
            ("fc__data", esc(what_data_say(r))),
            ("fc__sources", src_links),
        ]
        # Explicit roles keep the table a table for screen readers when a phone lays rows out as cards.
        rows.append(
            f'<tr id="{cid.lower()}" role="row">'
            + "".join(
                f'<td class="{cls}" role="cell" data-label="{esc(label)}">{body}</td>'
                for (cls, body), label in zip(cells, FACT_CHECK_COLUMNS)
            )
            + "</tr>"
        )
    head = "".join(f'<th scope="col" role="columnheader">{esc(c)}</th>' for c in FACT_CHECK_COLUMNS)
    return (
        f'<p>{len(site.results)} claims checked.</p><ul class="verdict-counts">{badges}</ul>'
        '<div class="chart__scroll fact-check__wrap" tabindex="0" role="region" aria-label="All claims and verdicts">'
        f'<table class="fact-check" role="table"><thead role="rowgroup"><tr role="row">{head}</tr></thead>'
        '<tbody role="rowgroup">' + "\n".join(rows) + "</tbody></table></div>"
    )


# The Fact-check table's columns; on a phone each row is a card and these label its parts.
FACT_CHECK_COLUMNS = ("Claim", "Section", "What the essay says", "Verdict", "What the data say", "Sources")


def scorecard_html(page: Page, site: Site) -> str:
    """The verdicts counted from the ledger: a line by colour, then each verdict with its meaning."""
    counts = Counter(r.verdict for r in site.results.values())
    tones = Counter(settings.tone(v) for v in counts.elements())
    n = len(site.results)
    summary = ", ".join(
        f"{tones[tone]} {words[0] if tones[tone] == 1 else words[1]}"
        for tone, words in settings.TONE_SUMMARY.items()
        if tones.get(tone)
    )
    items = "".join(
        f'<li class="claim--{t.tone}"><span class="claim__verdict">{esc(t.name)}</span> '
        f"<b>{counts[t.name]}</b>: {esc(t.meaning)}</li>"
        for t in settings.VERDICTS
        if counts.get(t.name)
    )
    link = f'<a href="{page.root}{site.blocks["fact-check"]}">every claim</a>' if "fact-check" in site.blocks else ""
    return (
        f'<p class="scorecard__summary">We checked {n} claims: {summary}.'
        + (f" See {link} with its verdict and sources." if link else "")
        + f'</p><ul class="scorecard">{items}</ul>'
    )


def verdict_scale_html(page: Page, site: Site) -> str:
    """The verdict scale, best first, each with its one-line meaning (the one place it is defined)."""
    return (
        '<dl class="verdict-scale">'
        + "".join(
            f'<dt class="claim--{t.tone}"><span class="claim__verdict">{esc(t.name)}</span></dt>'
            f"<dd>{esc(t.meaning)}</dd>"
            for t in settings.VERDICTS
        )
        + "</dl>"
    )


def verdict_rules_html(page: Page, site: Site) -> str:
    """The rules that decide a verdict, in plain words from `settings.py`, then every exception the
    ledger declares (a cap or a wider margin) with its reason: nothing decided off the page."""
    readings = "".join(f"<li><b>{esc(t.name)} X</b>: {esc(t.meaning)}.</li>" for t in settings.READINGS)
    worded = "".join(f"<li>{esc(C.OPS[op].meaning)}</li>" for op in C.WORDED)
    exceptions = []
    for cid, r in site.results.items():
        for block in (r.claim.compare, r.claim.found):
            if block is not None and block.cap:
                exceptions.append(
                    f"<li>{esc(cid)}: held at <i>{esc(block.cap)}</i>, because {esc(block.cap_reason)}.</li>"
                )
            if getattr(block, "tolerance", None) is not None:
                exceptions.append(
                    f"<li>{esc(cid)}: compared within {block.tolerance * 100:g}% rather than "
                    f"{settings.DEFAULT_TOLERANCE * 100:g}%, because {esc(block.tolerance_reason)}.</li>"
                )
    listed = (
        "<p>The exceptions, each shown on its card with its reason:</p>"
        f'<ul class="verdict-exceptions">{"".join(exceptions)}</ul>'
        if exceptions
        else "<p>No claim is an exception to these rules.</p>"
    )
    return (
        '<ul class="verdict-rules">'
        f"<li>How the essay words a figure decides how it is read:<ul>{readings}</ul></li>"
        f"<li>Otherwise a figure within {settings.CLOSE * 100:g}% of the data is <i>close</i>, and one further away "
        "is a <i>different figure</i>.</li>"
        "<li>A figure that does not hold in the year the essay gives (or whose year is not in the data) is looked "
        "for in the other years of the same series (as the essay writes it, or within "
        f"{settings.YEAR_SEARCH_MARGIN * 100:g}%). If it holds in another year, the verdict is <i>different "
        "year</i>: a right figure with the wrong year never counts as a match, on every card that carries it.</li>"
        "<li>A right number described wrongly (another company's estimate, a narrower scope, a run-rate called a "
        "year's revenue) is held at <i>partly supported</i>, and its card says why.</li>"
        f"<li>A claim made without a number is checked by what it says, against the data:<ul>{worded}</ul>"
        "It <i>matches</i> when the data bear it out and <i>does not hold</i> when they do not.</li>"
        "<li>A figure no source we could read gives is <i>not found</i>.</li>"
        "<li>Where we wrote a verdict after reading the sources and it compares a figure, the card gives the "
        "sources' figure, and the same rules must give the same verdict: the site's checks fail otherwise.</li>"
        "</ul>" + listed
    )


FIRST_HAND = " (first-hand)"


def source_ratings_html(page: Page, site: Site) -> str:
    """The kinds of page a figure can be read in, best first, and the reliability ratings."""
    kinds = "".join(
        f"<li><b>{esc(t.name)}</b>{FIRST_HAND if t.name in settings.FIRST_HAND_KINDS else ''}: {esc(t.meaning)}</li>"
        for t in settings.SOURCE_KINDS
    )
    rel = "".join(
        f'<li><span class="rel rel--{t.name}">{esc(t.name)}</span>: {esc(t.meaning)}</li>' for t in settings.RELIABILITY
    )
    return (
        f"<p>What kind of page a figure was read in, from best to weakest:</p><ol>{kinds}</ol>"
        f"<p>How far the page we read can be trusted to carry the producer's figure:</p><ul>{rel}</ul>"
    )


def changes_html(page: Page, site: Site) -> str:
    """What changed in the figures and the verdicts, change by change (from git), with its feed."""
    from explainer.content import changelog

    claim_page = where_shown()[1]

    def href(cid: str) -> str:
        return card_href(cid, claim_page, site, page.root) if cid in site.results else ""

    return changelog.html(f"{page.root}assets/corrections.xml", href, site.project)


def corrections_html(page: Page, site: Site) -> str:
    """Every correction written for readers, newest first, each linked to where it was made."""
    from explainer.core.corrections import correction_html, corrections

    titles = page_titles()
    claim_page = where_shown()[1]
    items = []
    for k in corrections():
        title = titles.get(k.page, k.page)
        where = f' <a href="{page_url(k.page, page.root)}#page-corrections">{esc(title)}</a>'
        if k.claim and k.claim in site.results:
            where += f', <a href="{card_href(k.claim, claim_page, site, page.root)}">claim {esc(k.claim)}</a>'
            stop = "."
        else:
            stop = end_sentence(title)[len(title) :]  # "On: What Is It For?" takes no second stop
        items.append(correction_html(k, f' <span class="correction__where">On:{where}{stop}</span>'))
    if not items:
        return '<p class="corrections-none">No correction has been made yet.</p>'
    return '<div class="corrections">' + "".join(items) + "</div>"


def _repo_name(repo: str) -> str:
    return "/".join(urlparse(repo).path.strip("/").split("/")[:2]) or repo


def maintainers_html(page: Page, site: Site) -> str:
    """Who keeps the site: the maintainers of its repository (named only where the configuration
    names them, `extra.maintainers`), and where their work is recorded."""
    repo = current_project().repo_url()
    named = current_project().extra.get("maintainers")
    who = f"<p>{esc(named)}</p>" if named else ""
    if repo:
        return who + (
            f'<p>This site is kept by the maintainers of its public repository, <a href="{esc(repo)}">'
            f"{esc(_repo_name(repo))}</a>. Every change to its pages, data and verdicts is recorded there, "
            "with the date and the account that made it.</p>"
        )
    return who + (
        "<p>This site is kept by the maintainers of its source repository. This copy was built without "
        "the repository's address, so it cannot link to it or to their record of changes.</p>"
    )


def funding_html(page: Page, site: Site) -> str:
    """The funding and interests statement, as the maintainers declare it (`extra.funding`)."""
    funding = current_project().extra.get("funding")
    if funding:
        return f"<p>{esc(funding)}</p>"
    return (
        "<p>The maintainers have not published a statement of funding or interests. Until they do, "
        "this site makes no claim about who pays for it, or whether anyone does.</p>"
    )


def report_error_html(page: Page, site: Site) -> str:
    """How a reader reports an error: the prefilled form in the repository when there is one,
    else what this copy of the site can honestly offer."""
    repo = current_project().repo_url()
    blank = settings.report_url(repo, "Correction: ", {})
    if blank:
        return (
            "<p>Use the “Report an error” link under the title of each page, or at the foot of any claim "
            "card. It opens a form in the site's public repository, already filled in with the page (and "
            "the claim), that asks what is wrong and what evidence shows it. You can also "
            f'<a href="{esc(blank)}">open a blank report</a>. Reports are public, and filing one needs a '
            "free GitHub account.</p>"
        )
    if repo:
        return (
            f'<p>Open an issue in the site\'s public repository, <a href="{esc(repo)}">{esc(_repo_name(repo))}</a>, '
            "naming the page (and the claim), what is wrong and what evidence shows it.</p>"
        )
    return (
        "<p>This copy of the site was built without the address of its repository, so it offers no "
        "report form and no link to one. If you reached it through a repository or a hosting page, "
        "report the error there, naming the page (and the claim), what is wrong and what evidence "
        "shows it.</p>"
    )
