"""This essay's own checks: its data, its prose and its pages, as they stand today.

The engine is tested on the fixture explainer (tests/fixtures/mini). Only this file reads the essay's
live data and figures, so a data correction (a re-sourced value, a new claim) touches only this file.
"""

from __future__ import annotations

import html
import re

from conftest import ROOT, check_data, html_pages, tree_digest

from explainer.core import claims as C
from explainer.core import data as D
from explainer.core import source_quality as footing
from explainer.steps import render, validate

# --- the data ----------------------------------------------------------------------------------------


def test_the_essays_data_are_valid():
    before = tree_digest(ROOT / "data")
    status, out = check_data(ROOT)
    assert status == 0, out
    assert tree_digest(ROOT / "data") == before, "the validator must never write into data/"


def test_there_is_enough_sourced_data():
    names = D.dataset_names()
    assert len(names) >= 10
    assert len(D.registry()) >= 25
    values = 0
    for name in names:
        schema = D.schema(name)
        measured = [
            f["name"] for f in schema["fields"] if f.get("type") in ("number", "integer") and f["name"] != "year"
        ]
        df = D.load(name)
        values += int(df[measured].notna().sum().sum())
        assert df["source"].notna().all() and df["status"].notna().all(), name
    assert values >= 150
    assert len(C.evaluate_all()) >= 30


def test_values_stand_on_first_hand_sources_and_few_on_weak_pages():
    """The footing targets (settings.FOOTING_TARGETS) hold for this essay's values."""
    total, _ = footing.tally()
    assert total.values > 0
    assert not footing.shortfalls(total), footing.shortfalls(total)


def test_quotes_are_short_and_verbatim_from_the_essay():
    essay = (ROOT / "data" / "essay.txt").read_text(encoding="utf-8")

    def norm(s: str) -> str:
        return s.replace("’", "'").replace("“", '"').replace("”", '"')

    for c in D.claims():
        assert len(c.quote.split()) <= validate.MAX_QUOTE_WORDS, c.id
        assert norm(c.quote) in norm(essay), f"{c.id}: quote not found verbatim in the essay"


def _figure_forms(v) -> set[str]:
    """How a figure may be written in the essay: as given, with thousands separators, as a whole number."""
    forms = {str(v)}
    if isinstance(v, (int, float)):
        forms |= {f"{v:,}", f"{v:,.0f}" if float(v).is_integer() else f"{v:,}"}
    return forms


def test_a_claims_essay_figure_is_in_the_essay():
    """A card's "The essay:" line must show a figure the essay gives, or the claim carries none."""
    essay = (ROOT / "data" / "essay.txt").read_text(encoding="utf-8")
    bare = essay.replace(",", "")
    for c in D.claims():
        fig = c.figure
        if fig:
            forms = _figure_forms(fig.value)
            assert any(f in essay or f.replace(",", "") in bare for f in forms), (
                f"claim {c.id}: the essay never gives {fig.value!r}"
            )


# --- the prose -----------------------------------------------------------------------------------

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
    text = re.sub(r"^---\n.*?\n---\n", "", md, flags=re.S)
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


# Words a reader should not have to learn, and units each page explains where it first uses them.
JARGON = ["tolerance", "row by row", " spec ", "spec)", "computed from the data"]
GLOSSES = {
    "TWh": r"terawatt-hour",
    "FLOP": r"floating-point operation",
    "token": r"word or (a )?piece of (a|one)",
    "run-rate": r"run-rate \(the revenue",
    "capital expenditure": r"spending on lasting assets",
    "Chatbot Arena": r"Chatbot Arena[^.]*where people compare",
}


def _visible_text(page) -> str:
    text = page.read_text(encoding="utf-8")
    text = re.sub(r"<(script|style|code|pre)\b.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return " ".join(html.unescape(text).split())


def test_reader_pages_use_plain_words(site):
    for page in html_pages(site):
        if "/methods/" in page.as_posix() or "/corrections/" in page.as_posix():
            continue  # the technical appendix; commit messages quoted as written
        text = _visible_text(page).lower()
        for word in JARGON:
            assert word not in text, f"{page.relative_to(site)}: '{word.strip()}'"


def test_units_are_explained_where_a_page_first_uses_them(site):
    for page in html_pages(site):
        text = _visible_text(page)
        for term, gloss in GLOSSES.items():
            # The appendix, and the chart pages: a chart's units are glossed on the section page it comes from.
            if term in text and "/methods/" not in page.as_posix() and "/charts/" not in page.as_posix():
                linked = "how-we-checked/#words-and-units" in page.read_text(encoding="utf-8")
                assert linked or re.search(gloss, text), f"{page.relative_to(site)} uses {term} without explaining it"


# --- the pages -----------------------------------------------------------------------------------


def test_there_are_the_charts_the_pages_need():
    ids = render.discover()
    assert len(ids) >= 10
    for needed in (
        "robot_installations",
        "private_ai_investment",
        "bigtech_capex",
        "openai_finances",
        "datacenter_electricity",
        "electricity_generation",
        "renewable_capacity",
        "model_gap",
        "text_stock",
        "smart_factories",
    ):
        assert needed in ids


def test_the_sections_with_several_charts_show_them_all(site):
    china = (site / "why-china-went-the-other-way" / "index.html").read_text()
    power = (site / "the-electricity-constraint" / "index.html").read_text()
    assert china.count('<figure class="chart"') >= 2 and power.count('<figure class="chart"') >= 3


def test_the_methods_notebook_shows_the_ratios_the_essay_quotes(site):
    page = (site / "methods" / "index.html").read_text(encoding="utf-8")
    assert "The ratios the essay quotes" in page
    assert "Robots installed, China ÷ US (2024)" in page, "cell outputs must be in the page"
