"""What a page's markers become: charts, claim cards, figures from the data, generated tables.

Authors write prose and one-line markers; this module turns them into HTML at build time,
so a page never holds chart JSON and a figure in the prose cannot drift from the data:

    <!-- chart: widgets -->                    a figure: static SVG, caption, sources, downloads, table
    <!-- claims -->                           the claim cards of this page's section
    <!-- claim: W1 W2 -->                      particular claim cards
    {{ data widgets.units year=2024 place=Atlantis }}    one value from a dataset
    {{ claim W1 }}                            what the data give for a claim (with its unit)
    {{ essay W1 }}                            the essay's own figure for a claim, from the ledger
    {{ method tolerance }}                    the verdict rule's margins (tolerance, close) and quote_words
    {{ change widgets.units place=Atlantis from=2023 to=2024 }}    a trend in words (trends.py:
                                              change, ratio, sum, led, leadchanges)
    <!-- fact-check -->  <!-- sources -->     the generated Fact-check table and source registry
    <!-- annotated-essay -->                  the essay's full text, its checked passages marked (essay.py)

Unknown ids and selectors that do not match exactly one row are errors naming the page, and so
is a hand-typed trend word ("stayed near", "changed hands") that the series beside it contradicts.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from explainer.content import blocks, cite, essay, fragments, guards, trends
from explainer.content.cite import split_front_matter
from explainer.content.fragments import (
    ANY_MARKER_RE,
    BLOCK_RE,
    CHART_RE,
    CLAIM_RE,
    CLAIMS_RE,
    CLAIMVAL_RE,
    DATA_RE,
    ESSAY_RE,
    METHOD_RE,
    Page,
    Site,
    byline,
    chart_figure,
    claim_cards,
    claim_value,
    data_value,
    essay_value,
    section_claims,
)
from explainer.core import claims as C
from explainer.core import settings
from explainer.core.problems import Problem, ProblemsError
from explainer.core.project import current_project


def expand(markdown: str, page: Page, site: Site, first_line: int = 1, stash: list[str] | None = None) -> str:
    """The page's Markdown with every marker replaced; raises ProblemsError naming the page.

    `first_line` is the line of the file `markdown` starts at (after any front matter), so
    problems name the line as the author's editor shows it.
    """
    out, problems = expand_forgiving(markdown, page, site, first_line, stash)
    if problems:
        raise ProblemsError(problems, "problem(s) in page markers")
    return out


def expand_forgiving(
    markdown: str, page: Page, site: Site, first_line: int = 1, stash: list[str] | None = None
) -> tuple[str, list[Problem]]:
    """Every marker that works is expanded; each one that does not is replaced by its error, in
    place, so the rest of the page still shows (how `make serve` renders a page mid-edit).

    With `stash`, generated blocks (charts, cards, tables) go into it and the Markdown carries a
    placeholder instead (see `unstash`): the Markdown converter need not parse HTML it cannot change."""
    problems: list[Problem] = []
    where = f"docs/{page.src}"

    def keep(html: str, inline: bool) -> str:
        if stash is None or inline:
            return html
        stash.append(html)
        return f"\n\n<!--explainer-block-{len(stash) - 1}-->\n\n"

    def sub(regex: re.Pattern, fn: Callable[[re.Match], str], text: str, inline: bool) -> str:
        def wrap(m: re.Match) -> str:
            try:
                value = fn(m)
                if inline:  # a value's unit is written once, by the formatter or by the prose
                    doubled = guards.doubled_unit(value, m.string[: m.start()], m.string[m.end() :])
                    if doubled:
                        raise ValueError(doubled)
                return keep(value, inline)
            except (KeyError, LookupError, ValueError, C.EvidenceError) as e:
                problem = Problem(where, line_of_in(text, m), "", str(e.args[0] if e.args else e), "marker")
                problems.append(problem)
                return keep(fragments.marker_error(m.group(0), problem, inline), inline)

        return regex.sub(wrap, text)

    def line_of_in(text: str, m: re.Match) -> int:
        # Lines refer to the author's file; markers expand in order, so count in the original.
        idx = markdown.find(m.group(0))
        line = markdown.count("\n", 0, idx) if idx >= 0 else text.count("\n", 0, m.start())
        return first_line + line

    placed: set[str] = set()
    problems += trends.check_words(markdown, where, first_line)
    out = sub(CHART_RE, lambda m: chart_figure(m.group(1), page, site), markdown, False)
    out = sub(CLAIM_RE, lambda m: claim_cards(m.group(1).split(), page, site, placed), out, False)
    out = sub(CLAIMS_RE, lambda m: claim_cards(section_claims(page, site, placed), page, site, placed), out, False)
    out = sub(DATA_RE, lambda m: data_value(m), out, True)
    out = sub(CLAIMVAL_RE, lambda m: claim_value(m.group(1), m.group(2), site), out, True)
    out = sub(ESSAY_RE, lambda m: essay_value(m.group(1), site), out, True)
    out = sub(trends.MARKER_RE, trends.render, out, True)
    out = sub(
        METHOD_RE,
        lambda m: (
            str(settings.MAX_QUOTE_WORDS)
            if m.group(1) == "quote_words"
            else f"{(settings.DEFAULT_TOLERANCE if m.group(1) == 'tolerance' else settings.CLOSE) * 100:.0f}%"
        ),
        out,
        True,
    )
    out = sub(BLOCK_RE, lambda m: block(m.group(1), page, site), out, False)

    def unknown(m: re.Match) -> str:
        if "{{" not in m.group(0) or m.group(0).startswith("{{{"):
            return m.group(0)
        message = f"unrecognised marker {m.group(0)!r}"
        if re.search(r'=[^\s"}|]+ [^\s=}|]+(?:\s|}|$)', m.group(0)):  # a value with a space, unquoted
            message += ' (write a value with a space in quotes: key="two words")'
        problem = Problem(where, line_of_in(out, m), "", message, "marker")
        problems.append(problem)
        return fragments.marker_error(m.group(0), problem, True)

    out = ANY_MARKER_RE.sub(unknown, out)
    return with_byline(out, page, site, placed), problems


STASHED_RE = re.compile(r"(?:<p>)?<!--explainer-block-(\d+)-->(?:</p>)?")


def unstash(html: str, stash: list[str]) -> str:
    """The page's HTML with each placeholder replaced by the block it stands for."""
    return STASHED_RE.sub(lambda m: stash[int(m.group(1))], html)


H1_RE = re.compile(r"^# .+$", re.M)


def with_byline(markdown: str, page: Page, site: Site | None = None, placed: set[str] = frozenset()) -> str:
    """Under the page's title: who wrote it, when it was published and last updated (from git),
    when it was corrected and how to report an error; at its foot, its corrections and how to cite it."""
    m = H1_RE.search(markdown)
    if not m:
        return markdown
    title = cite.heading_text(m.group(0)[2:])
    line = byline(page, title)
    corrections = fragments.page_corrections(page, site, placed)
    foot = ("\n\n" + corrections if corrections else "") + "\n\n" + fragments.cite_block(page, title) + "\n"
    return markdown[: m.end()] + ("\n\n" + line if line else "") + markdown[m.end() :] + foot


# --- generated blocks -----------------------------------------------------------------------------


def block(kind: str, page: Page, site: Site) -> str:
    return {
        "sources": blocks.sources_html,
        "fact-check": blocks.fact_check_html,
        "scorecard": blocks.scorecard_html,
        "verdict-scale": blocks.verdict_scale_html,
        "verdict-rules": blocks.verdict_rules_html,
        "source-ratings": blocks.source_ratings_html,
        "changes": blocks.changes_html,
        "corrections": blocks.corrections_html,
        "maintainers": blocks.maintainers_html,
        "funding": blocks.funding_html,
        "report-error": blocks.report_error_html,
        "annotated-essay": essay.annotated_html,
    }[kind](page, site)


def first_line_of(body: str, whole: str) -> int:
    """The line of the file `whole` on which `body` starts: the file less its front matter, as a
    site builder hands it over, perhaps without the blank lines that followed the front matter."""
    front, rest = split_front_matter(whole)
    dropped = 0 if body.startswith("\n") else len(rest) - len(rest.lstrip("\n"))
    return front.count("\n") + dropped + 1


def expand_file(src: str, site: Site) -> str:
    """A page file of docs/ expanded whole, front matter kept: what any Markdown builder can take."""
    text = (current_project().docs / src).read_text(encoding="utf-8")
    front, body = split_front_matter(text)
    return front + expand(body, Page.for_file(src), site, first_line=front.count("\n") + 1)
