"""The chart contract (explainer/core/chart_contract.py): what a chart module must provide, held in
the same words by check-data (reading the module's source, never running it) and by the render step
(on the imported module). Engine behaviour, on a scratch copy of tests/fixtures/mini."""

from __future__ import annotations

import shutil

import pytest
from conftest import ROOT, run_explainer

from explainer.core import chart_contract, settings

MINI = ROOT / "tests" / "fixtures" / "mini"
GOOD = (MINI / "charts" / "widgets.py").read_text(encoding="utf-8")
SOURCE = "widget-census-2024"

# A module per breach of the contract, each from the fixture's good chart, and what both checkers say.
BROKEN = {
    "no_takeaway": (
        GOOD.replace("Atlantis made more widgets in 2024 than in 2023.\n", ""),
        1,
        "the module docstring needs a title line and a takeaway line",
    ),
    "no_build": (GOOD.replace("def build()", "def draw()"), None, "the module has no build() function"),
    "no_sources": (GOOD.replace(f'SOURCES = ["{SOURCE}"]\n', ""), None, "SOURCES is missing or empty"),
    "unknown_source": (
        GOOD.replace(f'SOURCES = ["{SOURCE}"]', f'SOURCES = ["{SOURCE}", "no-such-page"]'),
        9,
        "SOURCES names unknown registry ids: no-such-page",
    ),
    "credit_not_text": (
        GOOD.replace(f'SOURCES = ["{SOURCE}"]\n', f'SOURCES = ["{SOURCE}"]\nCREDIT = ["Widget Office"]\n'),
        10,
        "CREDIT must be text",
    ),
}


def test_a_good_module_keeps_the_contract_and_every_part_is_stated():
    assert chart_contract.breaches_in_source(GOOD, {SOURCE}) == []
    names = [p.name for p in chart_contract.PARTS]
    assert {"docstring", "build", "SOURCES", "CREDIT", "SUBTITLE", "TABLE", "key_numbers"} <= set(names)
    assert all(p.what for p in chart_contract.PARTS)


def test_more_sources_than_a_source_line_shows_break_the_contract_before_any_chart_is_drawn():
    ids = [f"page-{n}" for n in range(settings.MAX_SOURCE_LINKS + 1)]
    text = GOOD.replace(f'SOURCES = ["{SOURCE}"]', f"SOURCES = {ids!r}")
    [breach] = chart_contract.breaches_in_source(text, set(ids))
    assert f"a source line shows at most {settings.MAX_SOURCE_LINKS} links" in breach.message
    # Rows citing pages SOURCES does not name take one link ("all pages read").
    assert chart_contract.links_breach(ids[:-1], ids) is not None
    assert chart_contract.links_breach(ids[:-2], ids) is None


def test_sources_must_be_written_out_for_check_data_to_read_them():
    text = GOOD.replace(f'SOURCES = ["{SOURCE}"]', f'SOURCES = ["{SOURCE}".lower()]')
    [breach] = chart_contract.breaches_in_source(text, {SOURCE})
    assert "written out" in breach.message and breach.line == 9


@pytest.fixture
def broken_project(tmp_path):
    """A scratch copy of the mini explainer with one chart module per breach of the contract."""
    project = tmp_path / "mini"
    shutil.copytree(MINI, project)
    for name, (text, _, _) in BROKEN.items():
        (project / "charts" / f"{name}.py").write_text(text, encoding="utf-8")
    return project


def test_a_module_breaking_the_contract_fails_in_both_checkers_in_the_same_words(broken_project):
    checked = run_explainer("--project", str(broken_project), "check-data")
    assert checked.returncode == 1, checked.stdout + checked.stderr
    rendered = run_explainer("--project", str(broken_project), "charts")
    assert rendered.returncode == 1, rendered.stdout + rendered.stderr
    render_log = rendered.stdout + rendered.stderr
    for name, (_, line, message) in BROKEN.items():
        where = f"charts/{name}.py" + (f":{line}" if line else "")
        said = [ln for ln in checked.stdout.splitlines() if f"chart '{name}'" in ln]
        assert said and where in said[0] and message in said[0], (name, checked.stdout)
        failed = [ln for ln in render_log.splitlines() if "FAILED" in ln and f"chart '{name}'" in ln]
        assert failed and message in failed[0], (name, render_log)
    assert "chart 'widgets'" not in checked.stdout, "the good chart keeps the contract"
