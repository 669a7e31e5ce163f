"""Fixes from the pre-publication editor's read (rendering defects in the engine): a title read from
Markdown without its attribute list, no doubled full stop after a title ending in "?", correction
sentences without a capital mid-sentence, and more. Engine behaviour, on small inputs and on
tests/fixtures/mini."""

from __future__ import annotations

from explainer.content import cite
from explainer.content import fragments as pages
from explainer.core import corrections
from explainer.core.records import ChartMeta, Claim, Source


def _correction(before: str, after: str, why: str) -> corrections.Correction:
    return corrections.Correction(date="2026-01-05", page="index", before=before, after=after, why=why)


def test_a_title_read_from_markdown_loses_its_attribute_list():
    assert cite.heading_text("Big Tech capital spending {: .chart-page__title }") == "Big Tech capital spending"
    assert cite.heading_text("Widgets {#widgets .wide}") == "Widgets"
    assert cite.heading_text('"So what is it for?"') == "So what is it for?"
    assert cite.heading_text("Sets {1, 2}") == "Sets {1, 2}"  # braces that are not an attribute list stay


def test_a_citation_of_a_title_ending_in_a_question_mark_has_one_stop():
    words, bib = cite.page_citation("So What Is AI For? {: .x }", "what/", None, None)
    assert "For?”" in words and "?." not in words and "{:" not in words and "{:" not in bib
    words, _ = cite.page_citation("Widgets", "widgets/", None, None)
    assert "“Widgets.”" in words


def test_a_correction_reads_as_one_sentence_with_no_capital_mid_sentence_and_one_stop():
    c = _correction(
        "The robot chart drew 402.",
        "It draws 392, from the same edition.",
        "Rows from different years are not comparable.",
    )
    text = corrections.sentence(c)
    assert "said the robot chart drew 402; it now says it draws 392, from the same edition, because rows " in text
    assert ".." not in text and text.endswith("comparable.")
    html = corrections.correction_html(c)
    assert "it now says it draws 392" in html and "because rows from" in html and ".." not in html


def test_a_correction_keeps_the_capital_of_a_name_or_an_abbreviation():
    c = _correction("Nvidia said nothing", "US figures hold", "Because Epoch AI's data end in 2024.")
    text = corrections.sentence(c)
    assert "said Nvidia said nothing; it now says US figures hold, because Epoch AI's data end in 2024." in text


def test_a_cards_note_on_its_figures_comes_before_why_the_verdict_was_held_lower():
    from explainer.core import claims as C

    op = sorted(C.WORDED)[0]
    claim = Claim.from_dict(
        {"id": "W9", "compare": {"op": op}, "note": "Widgets made in 2024 against the next four makers."}
    )
    how = "268 against 137 for the others combined. Held at partly supported: half the sentence is unchecked."
    r = C.Result(claim=claim, verdict="partly supported", data_value=None, data_year=None, computed=True, how=how)
    text = pages.what_data_say(r)
    assert text.index("next four makers") < text.index("Held at"), text
    assert text.startswith("268 against 137") and text.endswith("unchecked.")


def test_a_chart_page_lists_the_written_claims_that_cite_a_page_its_rows_were_read_in():
    from types import SimpleNamespace

    from explainer.content import chartpages
    from explainer.core import claims as C

    def result(cid: str, computed: bool, **claim) -> C.Result:
        return C.Result(Claim.from_dict({"id": cid, **claim}), "matches", None, None, computed)

    results = {
        "W1": result("W1", True, compare={"of": [{"dataset": "widgets", "where": {}}]}),
        "W2": result("W2", False, sources=["census-copy"]),  # judged from a page the chart's rows came from
        "W3": result("W3", False, sources=["elsewhere"]),
        "W4": result("W4", True, compare={"of": [{"dataset": "gadgets", "where": {}}]}),
    }
    meta = ChartMeta.from_dict({"datasets": ["widgets"], "sources": ["census-copy"]})
    assert chartpages.claims_on(meta, SimpleNamespace(results=results)) == ["W1", "W2"]


def _meta(columns: list[str], rows: list[list]) -> ChartMeta:
    return ChartMeta.from_dict({"datasets": [], "table": {"columns": columns, "rows": rows}})


def test_a_count_for_a_whole_year_ends_the_data_later_than_a_month_of_that_year():
    meta = _meta(["date", "count", "status"], [["2025-11", 7000, "reported"], ["2025", 8200, "reported"]])
    assert pages.data_end(meta) == "Data to 2025"
    meta = _meta(["date", "count", "status"], [["2025-11", 7000, "reported"], ["2024", 8200, "reported"]])
    assert pages.data_end(meta) == "Data to November 2025"


def test_a_date_given_with_its_precision_still_says_when_the_data_end():
    meta = _meta(["model", "date", "size"], [["A", ["2024-08-31", "day"], 1.0], ["B", ["2025", "year"], 2.0]])
    assert pages.data_end(meta) == "Data to 2025"


def test_a_table_header_has_no_parentheses_inside_parentheses_and_no_column_twice():
    import pandas as pd

    from explainer.steps import render

    assert render._header("Private AI investment", "US$ billion (nominal)") == (
        "Private AI investment, US$ billion (nominal)"
    )
    assert render._header("Capacity", "GW") == "Capacity (GW)"
    table = pd.DataFrame(
        {"tier": ["pioneer", "basic", "pioneer"], "tier_label": ["Pioneer", "Basic", "Pioneer"], "n": [1, 2, 3]}
    )
    cols = [
        {"name": "tier", "header": "Tier", "kind": "text"},
        {"name": "tier_label", "header": "Tier", "kind": "text"},
        {"name": "n", "header": "Factories", "kind": "number"},
    ]
    shown = render._one_column_a_header(cols, table, {"tier_label": "Tier"})
    assert [c["name"] for c in shown] == ["tier_label", "n"], (
        "the code and its label are shown once, as the chart names it"
    )
    table["tier_label"] = ["Pioneer", "Basic", "Basic"]  # not the same thing said twice: both stay
    assert len(render._one_column_a_header(cols, table, {"tier_label": "Tier"})) == 3


def test_what_a_card_or_chart_says_of_its_footing_describes_its_own_figures(monkeypatch):
    from explainer.core import data as D
    from explainer.core import source_quality as footing

    registry = {
        "blog": Source.from_dict({"kind": "secondary summary", "reliability": "low"}),
        "paper": Source.from_dict({"kind": "news coverage", "reliability": "medium"}),
        "own": Source.from_dict({"kind": "official statistics", "reliability": "high"}),
    }
    monkeypatch.setattr(D, "sources_by_id", lambda: registry)
    assert "All of these figures rest on pages we rate low" in footing.values_shortfall_words(["blog"])
    assert "rate low" not in footing.values_shortfall_words(["paper"])
    assert footing.values_shortfall_words(["own", "own", "paper"]) == ""
    meta = ChartMeta.from_dict(
        {
            "table": {
                "columns": [{"name": "year", "kind": "year"}, {"name": "source", "kind": "source"}],
                "rows": [[2024, ["blog"]], [2025, ["paper", "blog"]]],
            }
        }
    )
    # Each row counts once: the second row, read in two pages, counts half for each.
    assert pages.table_source_ids(meta) == ["blog", "blog", "paper", "blog"]
    assert "75% of these figures rest on pages we rate low" in footing.values_shortfall_words(
        pages.table_source_ids(meta)
    )


def test_the_link_to_a_chart_page_offers_an_embed_only_when_the_site_has_a_public_address(monkeypatch):
    from explainer.core.project import Project

    site = pages.Site.load()
    chart = sorted(site.metas)[0]
    page = pages.Page.for_file("index.md")
    monkeypatch.setattr(Project, "site_base", lambda self: "")
    html = pages.chart_figure(chart, page, site)
    assert "This chart's own page</a>" in html and "embed" not in html.split("chart__downloads")[1].lower()
    monkeypatch.setattr(Project, "site_base", lambda self: "https://example.org/")
    assert "Share or embed this chart</a>" in pages.chart_figure(chart, page, site)


def test_only_one_of_a_charts_two_pictures_is_shown_and_read_out_in_each_scheme():
    """The light and the dark picture carry the same alt text; the one for the other scheme is
    display:none, which also takes it out of what a screen reader reads."""
    from conftest import ROOT

    css = (ROOT / "explainer" / "mkdocs" / "theme" / "assets" / "css" / "site.css").read_text(encoding="utf-8")
    assert ".chart__pic--dark { display: none !important; }" in css
    assert '[data-md-color-scheme="slate"] .chart__pic--light { display: none !important; }' in css
