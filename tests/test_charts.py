"""The chart pipeline: every chart builds, deterministically, cached on its inputs, and bad charts fail loudly.

On the fixture explainer (tests/fixtures/mini), whose charts the session renders once (conftest.mini_build);
a test that renders again works in a copy of that build folder."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import tree_digest

from explainer.content import fragments as pages
from explainer.content import markers
from explainer.core import theme
from explainer.core.problems import ProblemsError
from explainer.steps import render


@pytest.fixture
def charts_copy(mini) -> Path:
    """The fixture explainer's chart modules, in its scratch copy, for adding broken ones."""
    return mini / "charts"


def test_every_chart_builds_all_artifacts_then_nothing_on_a_second_run(mini, mini_rendered):
    """The session's build rendered every chart once (conftest.mini_build); run again, nothing is rendered."""
    out = mini_rendered
    for cid in render.discover():
        for kind in render.ARTIFACTS:
            assert (out / "charts" / f"{cid}.{kind}").stat().st_size > 0, (cid, kind)
    assert (out / "vendor" / "vega-bundle.js").stat().st_size > 100_000
    second = render.run(log=lambda *_: None)
    assert {o.status for o in second} == {"unchanged"}


def test_output_is_deterministic(mini, mini_build, tmp_path):
    """A second render from an empty folder gives the session's files byte for byte."""
    os.environ["EXPLAINER_BUILD_DIR"] = str(tmp_path / "again")  # `mini` restores the environment
    assert {o.status for o in render.run(log=lambda *_: None)} == {"built"}
    ignore = shutil.ignore_patterns(".cache.json")
    for name, folder in (("session", mini_build[1] / "charts"), ("again", tmp_path / "again" / "charts")):
        shutil.copytree(folder, tmp_path / "compare" / name, ignore=ignore)
    assert tree_digest(tmp_path / "compare" / "session") == tree_digest(tmp_path / "compare" / "again")


def test_changing_a_dataset_rebuilds_only_the_charts_that_read_it(mini, mini_rendered):
    csv = mini / "data" / "gadgets.csv"
    csv.write_text(csv.read_text().replace("2022,Lemuria,65,", "2022,Lemuria,64,"))
    outcomes = {o.chart_id: o.status for o in render.run(log=lambda *_: None)}
    assert outcomes == {"gadgets": "built", "widgets": "unchanged"}
    meta = json.loads((mini_rendered / "charts" / "gadgets.meta.json").read_text())
    col = [c["name"] for c in meta["table"]["columns"]].index("units")
    assert 64 in [r[col] for r in meta["table"]["rows"]] and 65 not in [r[col] for r in meta["table"]["rows"]]


def test_changing_a_chart_module_rebuilds_it(mini, mini_rendered):
    p = mini / "charts" / "widgets.py"
    p.write_text(p.read_text() + "\n# an edit\n")
    assert [o.status for o in render.run(["widgets"], log=lambda *_: None)] == ["built"]


def test_every_chart_describes_itself_for_screen_readers(mini, mini_rendered):
    out = mini_rendered
    for cid in render.discover():
        meta = json.loads((out / "charts" / f"{cid}.meta.json").read_text())
        spec = json.loads((out / "charts" / f"{cid}.vl.json").read_text())
        assert meta["description"].startswith(meta["title"]) and meta["takeaway"] in meta["description"], cid
        assert re.search(r"\d", meta["description"].replace(meta["title"], "")), (
            f"{cid}: no key numbers in the description"
        )
        assert spec["description"] == meta["description"]
        assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/v")
        assert meta["declared_sources"], cid
        svg = (out / "charts" / f"{cid}.light.svg").read_text()
        assert "<svg" in svg and "http://" not in svg.replace("http://www.w3.org", "")
    # key_numbers() ends the description, after the takeaway.
    gadgets = json.loads((out / "charts" / "gadgets.meta.json").read_text())
    assert gadgets["description"].endswith("In 2024 Atlantis made 80 gadgets and Lemuria 75.")


def _write_chart(charts_dir: Path, name: str, body: str) -> None:
    (charts_dir / f"{name}.py").write_text(body)


HEADER = '"""A broken chart\nIt exists to fail.\n"""\nimport altair as alt\nfrom explainer.core.data import load\n'
SOURCE = 'SOURCES = ["widget-census-2024"]\n'
WIDGETS = 'alt.Chart(load("widgets"))'


def _chart(sources: str, mark: str, y: str) -> str:
    return f'{HEADER}{sources}def build():\n    return {WIDGETS}.{mark}.encode(x="year:O", y="{y}:Q")\n'


@pytest.mark.parametrize(
    "name,body,message",
    [
        ("lacks_column", _chart(SOURCE, "mark_line()", "robots_sold"), "encodes column(s) its data lack: robots_sold"),
        ("no_sources", _chart("", "mark_line()", "units"), "SOURCES is missing or empty"),
        (
            "unknown_source",
            _chart('SOURCES = ["not-a-registry-id"]\n', "mark_line()", "units"),
            "SOURCES names unknown registry ids: not-a-registry-id",
        ),
        (
            "e_notation",
            _chart(SOURCE, "mark_line()", "units") + "def key_numbers():\n    return f'{3.8e25:.1e} FLOP'\n",
            "the description writes '3.8e+25': write a power of ten as readers read it",
        ),
        ("bad_schema", _chart(SOURCE, 'mark_line(interpolate="wobbly")', "units"), "fails the Vega-Lite schema"),
    ],
)
def test_a_bad_chart_fails_naming_the_chart_and_the_problem(mini_rendered, charts_copy, name, body, message):
    _write_chart(charts_copy, name, body)
    lines = []
    outcomes = {o.chart_id: o for o in render.run([name, "widgets"], log=lines.append)}
    assert outcomes[name].status == "failed" and outcomes["widgets"].status == "unchanged"
    failed = [ln for ln in lines if "FAILED" in ln]
    assert failed and f"chart '{name}'" in failed[0] and message in failed[0], failed
    assert lines[-1].endswith("1 failed")
    assert render.main([name]) == 1


def test_a_chart_names_only_sources_its_rows_come_from(mini_rendered, charts_copy):
    """A source line names pages the plotted values were read in: a SOURCES id that is the source of
    no row fails the chart, at the line of the chart file that names it."""
    sources = 'SOURCES = [\n    "widget-census-2024",\n    "gadget-blog-2024",\n]\n'
    _write_chart(charts_copy, "names_a_stranger", _chart(sources, "mark_line()", "units"))
    lines = []
    outcomes = {o.chart_id: o for o in render.run(["names_a_stranger"], log=lines.append)}
    assert outcomes["names_a_stranger"].status == "failed"
    failed = [ln for ln in lines if "FAILED" in ln]
    assert failed and "charts/names_a_stranger.py:8:" in failed[0], failed
    assert "SOURCES names gadget-blog-2024, the source of no row the chart plots" in failed[0], failed


def test_an_unknown_chart_id_in_a_page_fails_naming_page_and_id(mini):
    site = pages.Site.load()
    page = pages.Page.for_file("gadgets.md")
    with pytest.raises(ProblemsError) as e:
        markers.expand("Intro\n\n<!-- chart: no_such_chart -->\n", page, site)
    assert "docs/gadgets.md:3" in str(e.value) and "no_such_chart" in str(e.value)


def _contrast(a: str, b: str) -> float:
    def lum(h):
        rgb = [int(h[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_theme_colours_have_enough_contrast(scheme):
    s = theme.SCHEMES[scheme]
    assert _contrast(s["text"], s["background"]) >= 7
    assert _contrast(s["muted"], s["background"]) >= 4.5
    for colour in s["category"]:
        assert _contrast(colour, s["background"]) >= 3, colour  # WCAG 1.4.11, graphics


def test_the_theme_is_the_same_for_static_and_live_charts():
    browser = theme.browser_themes()
    assert browser["light"] == theme.config("light") and browser["dark"] == theme.config("dark")
    assert "googleapis" not in json.dumps(browser) and "Helvetica" in theme.FONT and "googleapis" not in theme.FONT


def test_every_section_page_embeds_a_chart_with_a_static_image(mini_site):
    for stem in ("index", "gadgets"):
        html = (mini_site / ("index.html" if stem == "index" else f"{stem}/index.html")).read_text(encoding="utf-8")
        figures = re.findall(r'<figure class="chart" id="chart-([\w]+)"', html)
        assert figures, stem
        for cid in figures:
            assert f'assets/charts/{cid}.light.svg"' in html and f'assets/charts/{cid}.dark.svg"' in html
            assert (mini_site / "assets" / "charts" / f"{cid}.light.svg").exists()


def test_each_figure_links_its_sources_downloads_and_table(mini_site):
    html = (mini_site / "gadgets" / "index.html").read_text(encoding="utf-8")
    fig = html[html.index('id="chart-gadgets"') :]
    fig = fig[: fig.index("</figure>")]
    for kind in ("csv", "light.svg", "png", "vl.json"):
        assert f'assets/charts/gadgets.{kind}" download' in fig
    assert '<a href="../sources/#gadget-blog-2024">' in fig
    assert '<details class="chart__table">' in fig
    # Headed by the schema's titles (not the column names), figures right-aligned.
    assert '<th scope="col" class="num">Gadgets made</th>' in fig and '<th scope="col">units</th>' not in fig
