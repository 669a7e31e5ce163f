"""The annotated essay (`<!-- annotated-essay -->`): the whole text in its order, every checked
passage highlighted with its verdict written beside it and linked to its card (and back), every
statement of fact no claim checks visibly marked, and nothing left unsorted silently."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from conftest import ROOT, check_data, run_explainer

from explainer.content import essay
from explainer.core.records import Claim

MINI = ROOT / "tests" / "fixtures" / "mini"
TEXT = "Widgets Today\n\nAtlantis made 120 widgets in 2024. Its factories are old. Widgets are the future!\n\nSources\n"
CLAIMS = [Claim.from_dict({"id": "W1", "quote": "Atlantis made 120 widgets in 2024"})]
SORTED = [
    {"kind": "heading", "sentence": "Widgets Today", "__line__": 1},
    {"kind": "fact", "sentence": "Its factories are old.", "__line__": 2},
    {"kind": "opinion", "sentence": "Widgets are the future!", "__line__": 3},
    {"kind": "heading", "sentence": "Sources", "__line__": 4},
]


_explainer = run_explainer


def test_sentences_end_at_a_full_stop_and_a_closing_quote_but_not_before_a_figure():
    text = "He said: \u201cWe have one internet.\u201d Nature agreed. The US? 34,200 units. Why? Because."
    got = [s.text(text) for s in essay.sentences(text)]
    assert got == [
        "He said: \u201cWe have one internet.\u201d",
        "Nature agreed.",
        "The US? 34,200 units.",
        "Why?",
        "Because.",
    ]


def test_every_sentence_is_checked_or_sorted_and_curly_quotes_match_straight_ones():
    text = TEXT.replace("Widgets are", "Widgets\u2019 are")
    sorted_ = [dict(e, sentence="Widgets' are the future!") if e["kind"] == "opinion" else e for e in SORTED]
    sents, spans, problems = essay.sort_sentences(text, CLAIMS, sorted_, "essay_sentences.yaml")
    assert not problems, problems
    assert spans == {"W1": (15, 48)} and text[15:48] == CLAIMS[0].quote
    kinds = {s.text(text): (s.kind, s.claims) for s in sents}
    assert kinds["Atlantis made 120 widgets in 2024."] == (None, ["W1"])
    assert kinds["Its factories are old."] == ("fact", [])


def test_an_unsorted_sentence_a_stale_entry_and_a_missing_quote_are_each_named():
    entries = [e for e in SORTED if e["kind"] != "opinion"] + [
        {"kind": "fact", "sentence": "Atlantis made", "__line__": 7},  # checked by W1 now
        {"kind": "fact", "sentence": "Gone from the text", "__line__": 8},
        {"kind": "rumour", "sentence": "Sources", "__line__": 9},
    ]
    claims = [*CLAIMS, Claim.from_dict({"id": "W2", "quote": "not in the text at all"})]
    _, _, problems = essay.sort_sentences(TEXT, claims, entries, "essay_sentences.yaml")
    said = "\n".join(str(p) for p in problems)
    assert "no claim checks 'Widgets are the future!'" in said
    assert "essay_sentences.yaml:7: sentence 'Atlantis made': the sentence is checked by W1" in said
    assert "essay_sentences.yaml:8: sentence 'Gone from the text': no sentence of the essay opens" in said
    assert "essay_sentences.yaml:9: sentence 'Sources': kind must be one of fact, opinion, heading, caption" in said
    assert "claim W2: its quote is not in the essay's text" in said
    assert all(p.rule == "essay" for p in problems)


def test_the_annotated_text_links_each_verdict_to_its_card_and_back(mini_site):
    """tests/fixtures/mini (built once per session): the text page highlights W1 with its verdict in
    words, links to the card on the home page, marks the unchecked fact, and the card links back to
    the passage."""
    site = mini_site
    page = (site / "essay" / "index.html").read_text(encoding="utf-8")
    passage = re.search(
        r'<span id="essay-W1" class="essay__anchor"></span><mark class="essay-claim essay-claim--ok">'
        r"Atlantis made 120 widgets in 2024</mark> "
        r'<a class="essay-verdict essay-verdict--ok" href="\.\./#claim-W1"><span class="essay-verdict__id">W1</span>'
        r" matches</a>",
        page,
    )
    assert passage, "the checked passage is not highlighted with its verdict and card link"
    assert re.search(
        r'<span class="essay-unchecked">Its factories are the oldest in the region\.</span> '
        r'<span class="essay__tag">not checked: no survey of factory ages was read</span>',
        page,
    )
    assert '<p class="essay__caption"><span class="essay__tag">Picture caption</span> A photo of a widget</p>' in page
    assert '<h2 class="essay__heading">Widgets Today</h2>' in page and "Widgets are the future!" in page
    home = (site / "index.html").read_text(encoding="utf-8")
    assert '<p class="claim__in-essay"><a href="./essay/#essay-W1">Read it in the essay</a></p>' in home


def test_a_planted_unsorted_sentence_fails_check_data_naming_the_file(tmp_path):
    project = tmp_path / "mini"
    shutil.copytree(MINI, project, ignore=shutil.ignore_patterns("site"))
    text = project / "data" / "essay.txt"
    text.write_text(text.read_text(encoding="utf-8").replace("the future!", "the future! Gadgets too."), "utf-8")
    status, out = check_data(project)
    assert status == 1, out
    assert (
        "data/essay_sentences.yaml: no claim checks 'Gadgets too.' (paragraph 2 of the essay) and this file does "
        "not sort it" in out
    ), out


def test_the_site_shows_the_whole_essay_once_with_every_claim_placed():
    """The live essay: every claim has a place in it, every other sentence is sorted (check-data
    holds this too), and only the annotated page is configured to show the full text."""
    from explainer.core import data as D

    text = (ROOT / "data" / "essay.txt").read_text(encoding="utf-8")
    claims = D.claims()
    entries = essay.yamlines.load_with_lines(ROOT / "data" / "essay_sentences.yaml")
    _, spans, problems = essay.sort_sentences(text, claims, entries, "data/essay_sentences.yaml")
    assert not problems, "\n".join(map(str, problems))
    assert set(spans) == {c.id for c in claims}
    holders = [p for p in (ROOT / "docs").glob("*.md") if "<!-- annotated-essay -->" in p.read_text(encoding="utf-8")]
    assert len(holders) == 1, holders
    assert Path(holders[0]).name != "index.md"


def test_a_verdict_stands_after_the_closing_quotation_mark_of_the_passage_it_judges():
    from explainer.content import fragments as pages

    text = "Widgets Today\n\nAtlantis said: \u201cWidgets win.\u201d Widgets are the future!\n\nSources\n"
    claim = Claim.from_dict({"id": "W1", "quote": "Widgets win.", "section": "index"})
    sents, spans, _ = essay.sort_sentences(text, [claim], SORTED[2:], "f")
    result = type("R", (), {"verdict": "not found", "claim": claim})()
    site = pages.Site({}, {"W1": result}, {})
    para = [s for s in sents if s.para == 1]
    html = essay.paragraph_html(text, para[0].start, para[-1].end, para, spans, pages.Page.for_file("e.md"), site, {})
    assert 'Widgets win.\u201d</mark> <a class="essay-verdict' in html, html
