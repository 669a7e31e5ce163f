"""The house chart style holds for every chart: readable colours for colour-blind readers and in
both schemes, colours from the theme, the takeaway as headline with a subtitle that defines the
measure, and series that mix editions declared and labelled (the engine's editions guard)."""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, check_data, run_explainer

from explainer.core import theme
from explainer.steps import render

MINI = ROOT / "tests" / "fixtures" / "mini"


def _spec(chart_id: str) -> dict:
    module = render.load_module(chart_id)
    return module.build().to_dict()


# --- colours ------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_palettes_are_apart_for_colour_blind_readers_and_readable(scheme):
    assert theme.palette_problems(scheme) == []


def test_the_colour_check_fails_on_the_palette_the_review_found():
    """The light palette before the review: China #c2410c and Germany #7a5d00 are ΔE ≈ 1 apart
    under protanopia, and muted text that is too light fails contrast."""
    bad = copy.deepcopy(theme.SCHEMES)
    bad["light"]["category"] = ["#c2410c", "#0861a8", "#00795a", "#a43f7f", "#7a5d00", "#5b6270"]
    bad["light"]["muted"] = "#9aa0a6"
    found = theme.palette_problems("light", bad)
    assert any("#c2410c and #7a5d00" in p and "protanopia" in p for p in found), found
    assert any("#a43f7f and #5b6270" in p and "deuteranopia" in p for p in found), found
    assert any("muted #9aa0a6" in p and "4.5:1" in p for p in found), found
    # A series colour too dark for the dark scheme (a line, and its label, would vanish).
    bad["dark"]["ordinal"] = ["#2b3040", *bad["dark"]["ordinal"][1:]]
    found = theme.palette_problems("dark", bad)
    assert any("dark ordinal #2b3040: contrast" in p for p in found), found


def test_simulation_matches_machado_on_a_known_colour():
    # Pure red seen with protanopia is a dark olive; with deuteranopia a brighter one.
    r, g, b = theme.simulate("#ff0000", "protanopia")
    assert g > b and r < 0.7
    assert theme.delta_e("#ffffff", "#ffffff") == 0
    assert round(theme.contrast("#000000", "#ffffff"), 1) == 21.0


@pytest.mark.parametrize("chart_id", render.discover())
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_charts_series_colours_come_from_the_theme_and_stay_apart(chart_id, scheme):
    assert theme.series_colour_problems(_spec(chart_id), scheme) == []


def test_the_chart_colour_check_fails_on_typed_colours_and_colliding_series():
    typed = {"layer": [{"mark": {"type": "text", "color": "#555555"}}]}
    assert any("typed into the spec" in p for p in theme.series_colour_problems(typed, "dark"))
    bad = copy.deepcopy(theme.SCHEMES)
    bad["light"]["category"] = ["#c2410c", "#0861a8", "#00795a", "#a43f7f", "#7a5d00", "#5b6270"]
    spec = {
        "datasets": {"d": [{"country": "China"}, {"country": "Germany"}]},
        "encoding": {"color": {"field": "country", "scale": {"domain": ["China", "US", "J", "K", "Germany"]}}},
    }
    found = theme.series_colour_problems(spec, "light", bad)
    assert any("protanopia" in p for p in found), found
    assert theme.series_colour_problems(spec, "light") == []


# --- the headline, the subtitle, the numbers ---------------------------------------------


@pytest.mark.parametrize("chart_id", render.discover())
def test_each_chart_has_a_subtitle_that_defines_its_measure_not_its_source(chart_id):
    module = render.load_module(chart_id)
    subtitle = getattr(module, "SUBTITLE", "")
    assert subtitle and "source" not in subtitle.lower(), chart_id
    # No computer notation on an axis: numbers are written as readers say them.
    spec = _spec(chart_id)
    formats = [v["format"] for k, v in _walk(spec) if k == "axis" and isinstance(v, dict) and "format" in v]
    assert not [f for f in formats if "e" in f or f.endswith("s")], (chart_id, formats)


def _walk(node):
    if isinstance(node, dict):
        for k, v in node.items():
            yield k, v
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


def test_axis_words_and_powers_of_ten_are_what_readers_say():
    common = render.load_module("_common")  # this essay's chart helpers, loaded as the runner loads them
    label_positions, power_of_ten, words = common.label_positions, common.power_of_ten, common.words

    assert words(1e13) == "10 trillion" and words(1e5) == "100,000" and words(2.5e9) == "2.5 billion"
    assert power_of_ten(1e25) == "10²⁵" and power_of_ten(1e-7) == "10⁻⁷"
    pos = label_positions([10, 11, 12, 50], 0, 100, gap=0.05)
    gaps = sorted(pos)
    assert all(b - a >= 5 - 1e-9 for a, b in zip(gaps, gaps[1:])) and abs(pos[3] - 50) < 1e-9


def test_the_figure_leads_with_the_takeaway_and_does_not_repeat_it(tmp_path, monkeypatch):
    monkeypatch.setenv("EXPLAINER_BUILD_DIR", str(tmp_path / "build"))
    render.run(["robot_density"], log=lambda *_: None)
    import json

    spec = json.loads((tmp_path / "build" / "charts" / "robot_density.vl.json").read_text())
    meta = json.loads((tmp_path / "build" / "charts" / "robot_density.meta.json").read_text())
    title = spec["title"]
    assert " ".join(title["text"]) == meta["takeaway"]
    assert " ".join(title["subtitle"]) == meta["subtitle"] and "Source" not in meta["subtitle"]
    from explainer.content import fragments as pages

    site = pages.Site.load()
    html = pages.chart_figure("robot_density", pages.Page.for_file("two-different-roads.md"), site)
    assert "chart__takeaway" not in html and html.count("Source:") == 1


# --- editions (the guard, on the mini explainer) ------------------------------------------


def _explainer(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return run_explainer("--project", str(project), *args, **env)


def _check_data(project: Path) -> subprocess.CompletedProcess:
    """check-data on the copy, in-process (conftest.check_data)."""
    status, out = check_data(project)
    return subprocess.CompletedProcess(["check-data"], status, out, "")


@pytest.fixture
def mini(tmp_path) -> Path:
    """The mini explainer with an edition column: 2023 and 2024 from two editions of the census."""
    project = tmp_path / "mini"
    shutil.copytree(MINI, project)
    data = project / "data"
    # Every row gains an edition: Atlantis's series switches census at 2024 (its third line).
    csv = data / "widgets.csv"
    header, *rows = csv.read_text(encoding="utf-8").splitlines()
    assert header == "year,place,units,source,status" and rows[:2] == [
        "2023,Atlantis,100,widget-census-2024,reported",
        "2024,Atlantis,120,widget-census-2024,reported",
    ]
    edition = {"2022": "Census 2024", "2023": "Census 2024"}
    out = ["year,place,units,edition,source,status"]
    for row in rows:
        year, place, units, rest = row.split(",", 3)
        out.append(f"{year},{place},{units},{edition.get(year, 'Census 2025')},{rest}")
    csv.write_text("\n".join(out) + "\n", encoding="utf-8")
    schema = (data / "widgets.schema.yaml").read_text(encoding="utf-8")
    schema = schema.replace(
        "- name: source\n",
        "- name: edition\n  type: string\n  title: Edition\n  description: The census edition.\n- name: source\n",
    )
    (data / "widgets.schema.yaml").write_text(schema, encoding="utf-8")
    return project


def test_an_undeclared_mix_of_editions_fails_check_data_naming_file_and_line(mini):
    proc = _check_data(mini)
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    assert "data/widgets.csv:3: place=Atlantis: the edition changes from 'Census 2024' (year 2023)" in out, out
    assert "[edition-break]" in out


def test_a_declared_break_passes_check_data_but_must_be_labelled_on_the_chart(mini, tmp_path):
    schema = mini / "data" / "widgets.schema.yaml"
    text = schema.read_text(encoding="utf-8").replace(
        "fields:", 'edition_breaks:\n- at: 2024\n  label: "2024: Census 2025"\nfields:', 1
    )
    schema.write_text(text, encoding="utf-8")
    assert _explainer(mini, "datadict", "--write").returncode == 0
    proc = _check_data(mini)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    build = str(tmp_path / "b")
    proc = _explainer(mini, "charts", EXPLAINER_BUILD_DIR=build)
    assert proc.returncode != 0
    assert "does not label" in proc.stdout + proc.stderr and "2024: Census 2025" in proc.stdout + proc.stderr
    chart = mini / "charts" / "widgets.py"
    chart.write_text(
        chart.read_text(encoding="utf-8").replace(
            'return alt.Chart(load("widgets")).mark_bar().encode(x="year:O", y="units:Q")',
            'bars = alt.Chart(load("widgets")).mark_bar().encode(x="year:O", y="units:Q")\n'
            '    note = alt.Chart().mark_text().encode(text=alt.value("2024: Census 2025"))\n'
            "    return alt.layer(bars, note)",
        ),
        encoding="utf-8",
    )
    proc = _explainer(mini, "charts", EXPLAINER_BUILD_DIR=build)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_one_edition_per_series_needs_no_declaration(mini):
    csv = mini / "data" / "widgets.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("Census 2025", "Census 2024"), encoding="utf-8")
    assert _explainer(mini, "datadict", "--write").returncode == 0
    proc = _check_data(mini)
    assert proc.returncode == 0, proc.stdout + proc.stderr
