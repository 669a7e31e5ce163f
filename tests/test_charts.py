"""The chart pipeline: every chart builds, deterministically, cached on its inputs, and bad charts fail loudly."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, SECTION_PAGES, tree_digest

from explainer.content import fragments as pages
from explainer.content import markers
from explainer.core import theme
from explainer.core.problems import ProblemsError
from explainer.steps import render


@pytest.fixture
def out(tmp_path, monkeypatch) -> Path:
    """A fresh, empty build folder for the test."""
    monkeypatch.setenv("EXPLAINER_BUILD_DIR", str(tmp_path / "build"))
    return tmp_path / "build"


@pytest.fixture
def charts_copy(tmp_path, monkeypatch) -> Path:
    """A scratch copy of the chart modules, for adding broken ones."""
    copy = tmp_path / "charts"
    copy.mkdir()
    for p in (ROOT / "charts").glob("*.py"):
        shutil.copy(p, copy / p.name)
    monkeypatch.setenv("EXPLAINER_CHARTS_DIR", str(copy))
    return copy


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


def test_every_chart_builds_all_artifacts_then_nothing_on_a_second_run(out):
    first = render.run(log=lambda *_: None)
    assert {o.status for o in first} == {"built"}, [(o.chart_id, o.problems) for o in first if o.status != "built"]
    for cid in render.discover():
        for kind in render.ARTIFACTS:
            assert (out / "charts" / f"{cid}.{kind}").stat().st_size > 0, (cid, kind)
    assert (out / "vendor" / "vega-bundle.js").stat().st_size > 100_000
    second = render.run(log=lambda *_: None)
    assert {o.status for o in second} == {"unchanged"}


def test_output_is_deterministic(tmp_path, monkeypatch):
    digests = []
    for n in (1, 2):
        monkeypatch.setenv("EXPLAINER_BUILD_DIR", str(tmp_path / f"b{n}"))
        render.run(["robot_installations", "model_gap"], log=lambda *_: None)
        (tmp_path / f"b{n}" / "charts" / ".cache.json").unlink()
        digests.append(tree_digest(tmp_path / f"b{n}" / "charts"))
    assert digests[0] == digests[1]


def test_changing_a_dataset_rebuilds_only_the_charts_that_read_it(out, data_copy):
    render.run(log=lambda *_: None)
    csv = data_copy / "smart_factories.csv"
    csv.write_text(csv.read_text().replace("2025,basic,35000", "2025,basic,36000"))
    outcomes = {o.chart_id: o.status for o in render.run(log=lambda *_: None)}
    assert outcomes["smart_factories"] == "built"
    assert {c for c, s in outcomes.items() if s == "built"} == {"smart_factories"}
    meta = json.loads((out / "charts" / "smart_factories.meta.json").read_text())
    col = [c["name"] for c in meta["table"]["columns"]].index("factories")
    assert 36000 in [r[col] for r in meta["table"]["rows"]]


def test_changing_a_chart_module_rebuilds_it(out, charts_copy):
    render.run(["model_gap"], log=lambda *_: None)
    p = charts_copy / "model_gap.py"
    p.write_text(p.read_text() + "\n# an edit\n")
    assert [o.status for o in render.run(["model_gap"], log=lambda *_: None)] == ["built"]


def test_every_chart_describes_itself_for_screen_readers(out):
    render.run(log=lambda *_: None)
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


def _write_chart(charts_dir: Path, name: str, body: str) -> None:
    (charts_dir / f"{name}.py").write_text(body)


HEADER = '"""A broken chart\nIt exists to fail.\n"""\nimport altair as alt\nfrom explainer.core.data import load\n'
SOURCE = 'SOURCES = ["ifr-wr2025-finanznachrichten"]\n'
ROBOTS = 'alt.Chart(load("robot_installations"))'


def _chart(sources: str, mark: str, y: str) -> str:
    return f'{HEADER}{sources}def build():\n    return {ROBOTS}.{mark}.encode(x="year:O", y="{y}:Q")\n'


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
def test_a_bad_chart_fails_naming_the_chart_and_the_problem(out, charts_copy, name, body, message):
    _write_chart(charts_copy, name, body)
    lines = []
    outcomes = {o.chart_id: o for o in render.run([name, "model_gap"], log=lines.append)}
    assert outcomes[name].status == "failed" and outcomes["model_gap"].status == "built"
    failed = [ln for ln in lines if "FAILED" in ln]
    assert failed and f"chart '{name}'" in failed[0] and message in failed[0], failed
    assert lines[-1].endswith("1 failed")
    assert render.main([name]) == 1


def test_a_chart_names_only_sources_its_rows_come_from(out, charts_copy):
    """A source line names pages the plotted values were read in: a SOURCES id that is the source of
    no row fails the chart, at the line of the chart file that names it."""
    sources = 'SOURCES = [\n    "ifr-wr2025-finanznachrichten",\n    "hai-aiindex2025-economy",\n]\n'
    _write_chart(charts_copy, "names_a_stranger", _chart(sources, "mark_line()", "units"))
    lines = []
    outcomes = {o.chart_id: o for o in render.run(["names_a_stranger"], log=lines.append)}
    assert outcomes["names_a_stranger"].status == "failed"
    failed = [ln for ln in lines if "FAILED" in ln]
    assert failed and "charts/names_a_stranger.py:8:" in failed[0], failed
    assert "SOURCES names hai-aiindex2025-economy, the source of no row the chart plots" in failed[0], failed


def test_an_unknown_chart_id_in_a_page_fails_naming_page_and_id():
    site = pages.Site.load()
    page = pages.Page.for_file("two-different-roads.md")
    with pytest.raises(ProblemsError) as e:
        markers.expand("Intro\n\n<!-- chart: no_such_chart -->\n", page, site)
    assert "docs/two-different-roads.md:3" in str(e.value) and "no_such_chart" in str(e.value)


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


def test_every_section_page_embeds_a_chart_with_a_static_image(site):
    for _, md in SECTION_PAGES:
        html = (site / md[:-3] / "index.html").read_text(encoding="utf-8")
        figures = re.findall(r'<figure class="chart" id="chart-([\w]+)"', html)
        assert figures, md
        for cid in figures:
            assert f'assets/charts/{cid}.light.svg"' in html and f'assets/charts/{cid}.dark.svg"' in html
            assert (site / "assets" / "charts" / f"{cid}.light.svg").exists()
    china = (site / "why-china-went-the-other-way" / "index.html").read_text()
    power = (site / "the-electricity-constraint" / "index.html").read_text()
    assert china.count('<figure class="chart"') >= 2 and power.count('<figure class="chart"') >= 3


def test_each_figure_links_its_sources_downloads_and_table(site):
    html = (site / "two-different-roads" / "index.html").read_text(encoding="utf-8")
    fig = html[html.index('id="chart-robot_installations"') :]
    fig = fig[: fig.index("</figure>")]
    for kind in ("csv", "light.svg", "png", "vl.json"):
        assert f'assets/charts/robot_installations.{kind}" download' in fig
    assert '<a href="../sources/#ifr-wr2025-finanznachrichten">' in fig
    assert '<details class="chart__table">' in fig
    # Headed by the schema's titles (not the column names), figures right-aligned.
    assert '<th scope="col" class="num">Robots installed</th>' in fig and '<th scope="col">units</th>' not in fig
