"""The pages: claim cards and prose figures come from the data, and the generated pages are complete.

Engine behaviour on the fixture explainer (tests/fixtures/mini); what this essay's own pages must
say is in tests/test_this_essay.py."""

from __future__ import annotations

import html
import os
import re

import pytest
from conftest import MINI, mini_nav, use_project

from explainer.content import fragments as pages
from explainer.content import markers
from explainer.core import claims as C
from explainer.core import data as D
from explainer.core import settings
from explainer.core.problems import ProblemsError


@pytest.fixture
def fixture_project():
    """The fixture explainer itself, read in-process (read-only)."""
    with use_project(MINI):
        yield MINI


def _page(site, stem: str) -> str:
    return (site / ("index.html" if stem == "index" else f"{stem}/index.html")).read_text(encoding="utf-8")


def test_every_section_page_has_a_chart_and_a_claim_card(mini_site, fixture_project):
    sections = {c.section for c in D.claims()}
    assert sections == {"index", "gadgets"}
    for stem in sections:
        page = _page(mini_site, stem)
        assert '<figure class="chart"' in page, stem
        assert '<div class="claim claim--' in page, stem


def test_every_claim_is_shown_on_its_section_page(mini_site, fixture_project):
    for r in C.evaluate_all():
        assert f'id="claim-{r.id}"' in _page(mini_site, r.claim.section), r.id


def test_a_claim_marker_shows_a_card_on_another_page(mini_site):
    """`<!-- claim: W2 -->` on the gadgets page shows W2's card there too."""
    assert 'id="claim-W2"' in _page(mini_site, "gadgets") and 'id="claim-W2"' in _page(mini_site, "index")


def test_the_fact_check_page_lists_every_claim_with_counts(mini_site, fixture_project):
    page = _page(mini_site, "fact-check")
    results = C.evaluate_all()
    rows = re.findall(r'<tr id="([a-z]+\d+)"[ >]', page)
    assert rows == [r.id.lower() for r in results]
    for v in {r.verdict for r in results}:
        n = sum(r.verdict == v for r in results)
        assert f'<span class="claim__verdict">{v}</span> {n}</li>' in page
    assert all(r.verdict in settings.names(settings.VERDICTS) for r in results)
    # The fixture holds a computed claim, a written one and a slip of year.
    assert {"matches", "different year", "not checkable"} <= {r.verdict for r in results}
    assert 'href="fact-check/"' in _page(mini_site, "index"), "the home page's scorecard links the table"


def test_the_sources_page_lists_every_entry_with_used_by_links(mini_site, fixture_project):
    page = _page(mini_site, "sources")
    for e in D.registry():
        i = page.index(f'<section class="source" id="{e.id}"')
        entry = page[i : page.index("</section>", i)]
        used = entry[entry.index("<b>Used by:</b>") :]
        assert "<a href=" in used, f"{e['id']}: nothing uses it"
        assert html.escape(e.url_main, quote=True) in entry
        assert html.escape(e.citation_full) in entry


def test_used_by_is_derived_from_what_cites_the_source(mini_site):
    page = _page(mini_site, "sources")
    i = page.index('id="gadget-blog-2024"')
    entry = page[i : page.index("</section>", i)]
    assert "gadgets/#chart-gadgets" in entry
    assert "claim W21" in entry and "claim W22" in entry and "gadgets.csv" in entry
    assert "claim W1<" not in entry and "widgets.csv" not in entry


def test_a_data_change_moves_both_the_verdict_and_the_prose_figure(mini, mini_rendered):
    page = pages.Page.for_file("index.md")
    md = (mini / "docs" / "index.md").read_text(encoding="utf-8")

    def flat(s: str) -> str:
        return " ".join(s.split())

    def w1():
        return C.evaluate(next(c for c in D.claims() if c.id == "W1"))

    before = flat(markers.expand(md, page, pages.Site.load()))
    assert "The data say 120." in before
    assert w1().verdict == "matches"

    csv = mini / "data" / "widgets.csv"
    csv.write_text(csv.read_text().replace("2024,Atlantis,120,", "2024,Atlantis,150,"))
    after = flat(markers.expand(md, page, pages.Site.load()))
    assert "The data say 150." in after and "The data say 120." not in after
    assert w1().verdict == "different figure" and w1().data_value == 150
    assert 'id="claim-W1"' in after and "different figure" in after


def test_trend_markers_write_the_trend_from_the_data(mini, mini_rendered):
    page = pages.Page.for_file("gadgets.md")
    md = (mini / "docs" / "gadgets.md").read_text(encoding="utf-8")
    out = " ".join(markers.expand(md, page, pages.Site.load()).split())
    assert "gadget output rose 60%, from 50 to 80" in out
    assert "it made 1.1× as many gadgets as Lemuria" in out and "the two made 155 together" in out
    assert "Atlantis led in 2020 and 2023–2024" in out and "changed hands twice, in 2021, in 2023" in out
    assert "The text says 80 gadgets; the blog's figures give 80 gadgets." in out
    assert "{{" not in out


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
        ("{{ data widgets.units year=2031 place=Atlantis }}", "0 rows match"),
        ("{{ data no_such_dataset.units year=2024 }}", "unknown dataset 'no_such_dataset'"),
        ("{{ data widgets.units place=Atlantis }}", "rows match, expected exactly 1"),
        ("{{ claim W99 }}", "unknown claim id 'W99'"),
        ("{{ claim W22 }}", "not computed from data"),
        ("<!-- claim: W77 -->", "unknown claim id 'W77'"),
        ("{{ dat widgets.units year=2024 }}", "unrecognised marker"),
    ],
)
def test_a_bad_marker_fails_naming_page_and_line(marker, message, fixture_project):
    page = pages.Page.for_file("gadgets.md")
    with pytest.raises(ProblemsError) as e:
        markers.expand(f"# Title\n\nSome prose.\n\n{marker}\n", page, pages.Site.load())
    assert "docs/gadgets.md:5" in str(e.value) and message in str(e.value)


def test_registry_and_data_text_is_escaped_everywhere(mini, mini_build):
    os.environ["EXPLAINER_BUILD_DIR"] = str(mini_build[1])  # the rendered charts, read only
    evil = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    src = mini / "data" / "sources.yaml"
    text = src.read_text(encoding="utf-8")
    text = text.replace("producer: Lemuria Trade Board\n", f"producer: '{evil}'\n", 1)
    src.write_text(text, encoding="utf-8")
    claims = mini / "data" / "claims.yaml"
    claims.write_text(
        claims.read_text(encoding="utf-8").replace(
            "finding: An opinion about gadget makers; no survey of admiration was read.", f"finding: '{evil}'"
        ),
        encoding="utf-8",
    )
    site = pages.Site.load()
    m = next(iter(site.metas.values()))
    m.table.rows[0][0] = evil  # a data value as it would reach a chart's table
    for stem, url in (("sources", "sources/"), ("fact-check", "fact-check/"), ("gadgets", "gadgets/")):
        md = (mini / "docs" / f"{stem}.md").read_text(encoding="utf-8")
        out = markers.expand(md, pages.Page(f"{stem}.md", url), site)
        assert "<script>alert" not in out and "<img src=x" not in out, stem
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages.data_table(m, pages.Page.for_file("x.md"), site)


def test_a_claim_resting_on_a_weak_page_says_so(mini_site, fixture_project):
    low = {e.id for e in D.registry() if e.reliability == "low"}
    results = [r for r in C.evaluate_all() if set(pages.claim_sources(r)) & low]
    assert {r.id for r in results} == {"W21", "W22"}
    for r in results:
        html_page = _page(mini_site, r.claim.section)
        card = html_page[html_page.index(f'id="claim-{r.id}"') :]
        card = card[: card.index("</div>")]
        assert "low-reliability page" in card, r.id


def test_the_fixture_has_every_marker_kind():
    """The fixture explainer exercises every marker the engine expands (so the tests above can)."""
    docs = "".join((MINI / "docs" / f).read_text(encoding="utf-8") for _, f in mini_nav())
    for marker in ("<!-- chart:", "<!-- claims -->", "<!-- claim:", "{{ data ", "{{ claim ", "{{ essay "):
        assert marker in docs, marker
    for trend in ("change", "ratio", "sum", "led", "leadchanges"):
        assert "{{ " + trend + " " in docs, trend
    for kind in _block_kinds():
        assert f"<!-- {kind} -->" in docs, kind


def _block_kinds() -> list[str]:
    """The generated blocks `markers.block` knows."""
    import inspect

    return re.findall(r'^\s+"([\w-]+)": ', inspect.getsource(markers.block), re.M)
