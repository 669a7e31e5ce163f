"""Trend phrases come from the data, and a hand-typed trend the data contradict fails the page."""

from __future__ import annotations

import shutil

import pytest
from conftest import ROOT

from explainer.content import markers, trends
from explainer.content.fragments import Page, Site
from explainer.core import settings
from explainer.core.problems import ProblemsError

MINI = ROOT / "tests" / "fixtures" / "mini"
PLANTED = MINI / "planted" / "trend-words.md"


@pytest.fixture
def mini(tmp_path, monkeypatch):
    """The mini explainer, its widgets made in a second place too (Lemuria passes Atlantis in 2024)."""
    data = tmp_path / "data"
    shutil.copytree(MINI / "data", data)
    csv = data / "widgets.csv"
    rows = "2022,Atlantis,90,widget-census-2024,reported\n2022,Lemuria,60,widget-census-2024,reported\n"
    rows += "2023,Lemuria,80,widget-census-2024,reported\n2024,Lemuria,150,widget-census-2024,reported\n"
    # The fixture's own Lemuria and 2022 rows serve other tests; these replace them here.
    kept = [
        line
        for line in csv.read_text(encoding="utf-8").splitlines(keepends=True)
        if not line.startswith(("2022,Atlantis,", "2024,Lemuria,", "2024,Mu,", "2024,All places,"))
    ]
    csv.write_text("".join(kept) + rows, encoding="utf-8")
    monkeypatch.setenv(settings.ENV_PROJECT, str(MINI))
    monkeypatch.setenv(settings.ENV_DATA, str(data))
    return data


def expand(text: str) -> str:
    return markers.expand(text, Page.for_file("trends.md"), Site({}, {}, {}), first_line=1)


def test_trend_markers_write_the_change_ratio_lead_years_and_lead_changes(mini):
    out = expand(
        "A {{ change widgets.units place=Atlantis from=2023 to=2024 }}.\n"
        "B {{ change widgets.units place=Atlantis from=2023 to=2024 as=amount }}.\n"
        "C {{ change widgets.units place=Lemuria from=2022 to=2024 }}.\n"
        "D {{ ratio widgets.units year=2024 place=Lemuria vs place=Atlantis }}.\n"
        "E {{ led widgets.units place=Atlantis vs place=Lemuria }}.\n"
        "F {{ leadchanges widgets.units place=Atlantis vs place=Lemuria }}.\n"
        "G {{ sum widgets.units year=2024 place!=Lemuria }}.\n"
        "J {{ sum widgets.units year=2022 }}.\n"
        "K {{ led widgets.units place=Lemuria vs place=Atlantis }}.\n"
        "H {{ leadchanges widgets.units place=Atlantis vs place=Lemuria to=2023 }}.\n"
    )
    assert "A rose 20%, from 100 to 120." in out
    assert "B rose by 20, from 100 to 120." in out
    assert "C rose 2.5-fold, from 60 to 150." in out
    assert "D 1.2×." in out
    assert "E in every year from 2022 to 2023." in out
    assert "F changed hands once, in 2024." in out
    assert "G 120." in out
    assert "J 150." in out
    assert "K in 2024." in out
    assert "H never changed hands from 2022 to 2023." in out


@pytest.mark.parametrize(
    "first, last, options, phrase",
    [
        (3802.1, 4391.02, {}, "rose 15%, from 3,802 to 4,391"),
        (1355.6, 10086.88, {}, "rose 7.4-fold, from 1,356 to 10,087"),
        (9.3, 1.7, {}, "fell 82%, from 9.3 to 1.7"),
        (0.4, 2.7, {"as_": "amount"}, "rose by 2.3, from 0.4 to 2.7"),
        (100, 104, {"spec": ".1f"}, "rose 4%, from 100.0 to 104.0"),
        (-2, 3, {}, "rose by 5, from -2 to 3"),
        (120, 120, {}, "was unchanged at 120"),
    ],
)
def test_a_change_is_written_in_plain_words(first, last, options, phrase):
    assert trends.change_phrase(first, last, **options) == phrase


@pytest.mark.parametrize(
    "marker, message",
    [
        ("{{ change widgets.units place=Atlantis }}", "needs from= and to="),
        ("{{ change widgets.units place=Atlantis from=2019 to=2024 }}", "no reading for 2019"),
        ("{{ change sprockets.units place=Atlantis from=2023 to=2024 }}", "unknown dataset 'sprockets'"),
        ("{{ ratio widgets.units year=2024 place=Atlantis }}", "name the second after 'vs'"),
        ("{{ sum widgets.units year=2022 place!=Lemuria place!=Atlantis }}", "no rows match"),
        ("{{ sum widgets.units year=2022 colour!=red }}", "no column 'colour'"),
        ("{{ change widgets.units from=2023 to=2024 }}", "2 rows for year 2022; add a selector"),
    ],
)
def test_a_bad_trend_marker_names_the_file_and_line(mini, marker, message):
    with pytest.raises(ProblemsError) as e:
        expand(f"# Title\n\nText.\n\nIt {marker}.\n")
    assert "docs/trends.md:5:" in str(e.value) and message in str(e.value), str(e.value)


def test_a_planted_trend_word_the_data_contradict_fails_naming_file_and_line(mini):
    text = PLANTED.read_text(encoding="utf-8")
    problems = trends.check_words(text, "planted/trend-words.md")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "stayed near" in row)
    assert [(p.file, p.line, p.rule) for p in problems] == [("planted/trend-words.md", line, "trend")]
    assert "rose 20%, from 100 to 120 from 2023 to 2024" in problems[0].message
    with pytest.raises(ProblemsError, match=r"docs/trends\.md:\d+: 'stayed near' but the data say"):
        expand(text)


@pytest.mark.parametrize(
    "sentence, flagged",
    [
        ("Output rose 20%, to {{ data widgets.units year=2024 place=Atlantis }}, from 2023 to 2024.", False),
        ("Output barely changed from 2022 to 2023, at {{ data widgets.units year=2023 place=Atlantis }}.", True),
        ("Output rose and fell, to {{ data widgets.units year=2024 place=Atlantis }} in 2024.", True),
        ("Lemuria's output rose and fell: {{ data widgets.units year=2024 place=Lemuria }} in 2024.", True),
        ("The lead changed hands: {{ led widgets.units place=Atlantis vs place=Lemuria }} Atlantis led.", False),
        ("The lead never changed hands ({{ led widgets.units place=Atlantis vs place=Lemuria }}).", True),
        ("The lead changed hands ({{ led widgets.units place=Atlantis vs place=Lemuria to=2023 }}).", True),
        ("Output changed hands, {{ data widgets.units year=2024 place=Atlantis }}.", False),  # levels, not a lead
        ("Output stayed near 100. Later it was {{ data widgets.units year=2024 place=Atlantis }}.", False),
    ],
)
def test_trend_words_are_tested_against_the_series_beside_them(mini, sentence, flagged):
    assert bool(trends.check_words(sentence, "x.md")) == flagged, trends.check_words(sentence, "x.md")


def test_the_pages_hand_type_no_trend_the_data_contradict():
    problems = []
    for md in sorted((ROOT / "docs").glob("*.md")):
        problems += trends.check_words(md.read_text(encoding="utf-8"), f"docs/{md.name}")
    assert problems == [], "\n".join(map(str, problems))
