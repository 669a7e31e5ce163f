"""The explainer: claim cards and prose figures come from the data, and the generated pages are complete."""

from __future__ import annotations

import html
import re

import pytest
from conftest import ROOT, SECTION_PAGES

from explainer.content import cite, markers
from explainer.content import fragments as pages
from explainer.core import claims as C
from explainer.core import data as D
from explainer.core import settings
from explainer.core.problems import ProblemsError

# Digits in prose that are names, not figures; each with its reason. A stale entry fails.
NOT_FIGURES = {
    "Llama 3": "the name of Meta's model",
    "Llama 2": "the name of Meta's model",
    "10,000 factory workers": "the definition of robot density, a unit",
    '"1e+25" means a one': "how powers of ten are written, in the glossary",
    "90% interval": "the name of a kind of range (Epoch AI's), explained in the glossary",
}
NUMBER = re.compile(r"(?<![\w.#/-])\$?\d[\d,]*(?:\.\d+)?%?")


def prose(md: str) -> str:
    text = cite.split_front_matter(md)[1]
    text = re.sub(r"^\s*\d+\.\s", "", text, flags=re.M)  # list numbering is not a figure
    for name in NOT_FIGURES:
        text = text.replace(name, "")
    return re.sub(r"<!--.*?-->|\{\{.*?\}\}", "", text, flags=re.S)


def test_prose_types_no_figures_every_number_comes_from_the_data():
    """Years may be typed; any other figure must be a marker, so prose cannot contradict the data."""
    for md in sorted((ROOT / "docs").glob("*.md")):
        typed = [
            n
            for n in NUMBER.findall(prose(md.read_text(encoding="utf-8")))
            if not re.fullmatch(r"(19|20)\d\d", n.rstrip(".,"))
        ]
        assert typed == [], f"{md.name} types figures instead of inserting them from the data: {typed}"


def test_the_not_a_figure_allowlist_has_no_stale_entries():
    docs = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").glob("*.md"))
    assert [n for n in NOT_FIGURES if n not in docs] == []


def test_every_section_page_has_a_chart_and_a_claim_card(site):
    for _, md in SECTION_PAGES:
        page = (site / md[:-3] / "index.html").read_text(encoding="utf-8")
        assert '<figure class="chart"' in page, md
        assert '<div class="claim claim--' in page, md


def test_every_claim_is_shown_on_its_section_page(site):
    for r in C.evaluate_all():
        page = site / pages.Page.for_file(f"{r.claim.section}.md").url / "index.html"
        assert f'id="claim-{r.id}"' in page.read_text(encoding="utf-8"), r.id


def test_the_fact_check_page_lists_every_claim_with_counts(site):
    page = (site / "fact-check" / "index.html").read_text(encoding="utf-8")
    results = C.evaluate_all()
    assert len(results) >= 30
    rows = re.findall(r'<tr id="(c\d+)"[ >]', page)
    assert rows == [r.id.lower() for r in results]
    for v in {r.verdict for r in results}:
        n = sum(r.verdict == v for r in results)
        assert f'<span class="claim__verdict">{v}</span> {n}</li>' in page
    assert all(r.verdict in settings.names(settings.VERDICTS) for r in results)
    assert 'href="fact-check/"' in (site / "index.html").read_text(encoding="utf-8")


def test_the_sources_page_lists_every_entry_with_used_by_links(site):
    page = (site / "sources" / "index.html").read_text(encoding="utf-8")
    for e in D.registry():
        i = page.index(f'<section class="source" id="{e.id}"')
        entry = page[i : page.index("</section>", i)]
        used = entry[entry.index("<b>Used by:</b>") :]
        assert "<a href=" in used, f"{e['id']}: nothing uses it"
        assert html.escape(e.url_main, quote=True) in entry
        assert html.escape(e.citation_full) in entry


def test_used_by_is_derived_from_what_cites_the_source(site):
    page = (site / "sources" / "index.html").read_text(encoding="utf-8")
    i = page.index('id="ifr-wr2025-finanznachrichten"')
    entry = page[i : page.index("</section>", i)]
    assert "two-different-roads/#chart-robot_installations" in entry
    assert "claim C05" in entry and "robot_installations.csv" in entry


def test_a_data_change_moves_both_the_verdict_and_the_prose_figure(data_copy):
    page = pages.Page.for_file("two-different-roads.md")
    md = (ROOT / "docs" / "two-different-roads.md").read_text(encoding="utf-8")

    def flat(s: str) -> str:
        return " ".join(s.split())

    before = flat(markers.expand(md, page, pages.Site.load()))
    assert "installed 295,000 industrial robots, the United States" in before
    assert C.evaluate(next(c for c in D.claims() if c.id == "C04")).verdict == "different year"

    csv = data_copy / "robot_installations.csv"
    csv.write_text(csv.read_text().replace("2024,China,295000,", "2024,China,331000,"))
    after = flat(markers.expand(md, page, pages.Site.load()))
    assert "installed 331,000 industrial robots, the United States" in after
    assert "installed 295,000 industrial robots, the United States" not in after
    c04 = C.evaluate(next(c for c in D.claims() if c.id == "C04"))
    assert c04.verdict == "different figure" and c04.data_value == 331000
    assert 'id="claim-C04"' in after and "different figure" in after


@pytest.mark.parametrize(
    "essay,data,verdict",
    [
        (100, 101, "matches"),
        (100, 95, "close"),
        (100, 80, "different figure"),
        (100, 120, "different figure"),
    ],
)
def test_the_verdict_rule(essay, data, verdict):
    """Figure against figure; years, floors and caps are tested in test_verdict_rules.py."""
    assert C.judge(essay, data)[0] == verdict


@pytest.mark.parametrize(
    "marker,message",
    [
        ("{{ data robot_installations.units year=2031 country=China }}", "0 rows match"),
        ("{{ data no_such_dataset.units year=2024 }}", "unknown dataset 'no_such_dataset'"),
        ("{{ data robot_installations.units country=China }}", "rows match, expected exactly 1"),
        ("{{ claim C99 }}", "unknown claim id 'C99'"),
        ("{{ claim C09 }}", "not computed from data"),
        ("<!-- claim: C77 -->", "unknown claim id 'C77'"),
        ("{{ dat robot_installations.units year=2024 }}", "unrecognised marker"),
    ],
)
def test_a_bad_marker_fails_naming_page_and_line(marker, message):
    page = pages.Page.for_file("what-is-ai-for.md")
    with pytest.raises(ProblemsError) as e:
        markers.expand(f"# Title\n\nSome prose.\n\n{marker}\n", page, pages.Site.load())
    assert "docs/what-is-ai-for.md:5" in str(e.value) and message in str(e.value)


def test_registry_and_data_text_is_escaped_everywhere(tmp_path, data_copy):
    evil = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    src = data_copy / "sources.yaml"
    text = src.read_text(encoding="utf-8")
    text = text.replace("producer: International Federation of Robotics\n", f"producer: '{evil}'\n", 1)
    src.write_text(text, encoding="utf-8")
    claims = data_copy / "claims.yaml"
    claims.write_text(
        claims.read_text(encoding="utf-8").replace(
            "finding: Facebook announced its new name, Meta, on 28 October 2021.", f"finding: '{evil}'"
        ),
        encoding="utf-8",
    )
    site = pages.Site.load()
    m = next(iter(site.metas.values()))
    m.table.rows[0][0] = evil  # a data value as it would reach a chart's table
    for stem in ("sources", "fact-check", "two-different-roads"):
        md = (ROOT / "docs" / f"{stem}.md").read_text(encoding="utf-8")
        out = markers.expand(md, pages.Page.for_file(f"{stem}.md"), site)
        assert "<script>alert" not in out and "<img src=x" not in out, stem
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages.data_table(m, pages.Page.for_file("x.md"), site)


def test_a_claim_resting_on_a_weak_page_says_so(site):
    low = {e.id for e in D.registry() if e.reliability == "low"}
    results = [r for r in C.evaluate_all() if set(pages.claim_sources(r)) & low]
    assert results, "no claim cites a low-reliability page (then this test has nothing to check)"
    r = results[0]
    html_page = (site / pages.Page.for_file(f"{r.claim.section}.md").url / "index.html").read_text(encoding="utf-8")
    card = html_page[html_page.index(f'id="claim-{r.id}"') :]
    card = card[: card.index("</div>")]
    assert "low-reliability page" in card
