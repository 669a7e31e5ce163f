"""Sources labelled by what was read: check-data knows each producer's own sites, a copy is never
passed off as first-hand or high, a note never names a file or claim that is not there, and source
lines say whose page was read and when the data end. Planted errors live in copies of the engine's
fixture (tests/fixtures/mini); the real data must pass the same guards."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, check_data

from explainer.content import fragments as pages
from explainer.core import data as D
from explainer.core import provenance, settings
from explainer.core.records import ChartMeta, Source

MINI = ROOT / "tests" / "fixtures" / "mini"

COPY = """
- id: widget-census-copy
  producer: Atlantis Statistical Office
  publisher: null
  title: Widget census 2024, as copied into a course repository
  citation_full: Atlantis Statistical Office (2024). Widget census 2024. A copy in someone's repository.
  url_main: https://github.com/someone/course/blob/0123456789abcdef0123456789abcdef01234567/widgets.csv
  primary: null
  primary_url: null
  url_archive: null
  kind: official statistics
  reliability: high
  date_published: "2024"
  date_accessed: "2026-12-01"
  license: null
  notes: Planted by a test.
"""


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    project = tmp_path / "mini"
    shutil.copytree(MINI, project, ignore=shutil.ignore_patterns("site", "build"))
    return project


def explainer(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXPLAINER_")}
    env["EXPLAINER_BUILD_DIR"] = str(project / "build")
    return subprocess.run(
        [sys.executable, "-m", "explainer", "--project", str(project), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


def check(project: Path) -> subprocess.CompletedProcess:
    """check-data on the copy, in-process (conftest.check_data)."""
    status, out = check_data(project, EXPLAINER_BUILD_DIR=str(project / "build"))
    return subprocess.CompletedProcess(["check-data"], status, out, "")


def line_of(path: Path, needle: str) -> int:
    return next(i for i, ln in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in ln)


def plant_copy(project: Path, **fields: str) -> Path:
    registry = project / "data" / "sources.yaml"
    text = COPY
    for k, v in fields.items():
        text = "\n".join(f"  {k}: {v}" if ln.startswith(f"  {k}:") else ln for ln in text.splitlines()) + "\n"
    registry.write_text(registry.read_text(encoding="utf-8") + text, encoding="utf-8")
    csv = project / "data" / "widgets.csv"
    csv.write_text(csv.read_text(encoding="utf-8") + "2025,Atlantis,130,widget-census-copy,reported\n")
    return registry


def test_the_fixture_passes_the_guards(mini):
    proc = check(mini)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_copy_on_someone_elses_site_cannot_be_first_hand_high_or_unpublished(mini):
    registry = plant_copy(mini)
    line = line_of(registry, "- id: widget-census-copy")
    out = check(mini).stdout
    where = f"data/sources.yaml:{line}: entry 'widget-census-copy'"
    for field, words in (
        ("kind", "'official statistics' is for a page on the producer's own site"),
        ("reliability", "'high' is for the producer's or an official body's own page"),
        ("publisher", "null says the page is the producer's own"),
    ):
        hit = [ln for ln in out.splitlines() if f"{where} field '{field}'" in ln and words in ln]
        assert hit and hit[0].endswith("[producer-site]"), (field, out)
    assert "github.com/someone is not a site of 'Atlantis Statistical Office'" in out


def test_a_copy_labelled_as_what_it_is_passes(mini):
    plant_copy(
        mini, kind="third-party copy", reliability="medium", publisher='"someone (GitHub repository someone/course)"'
    )
    assert explainer(mini, "datadict", "--write").returncode == 0  # the dictionary counts the planted row
    proc = check(mini)
    assert proc.returncode == 0, proc.stdout


def test_a_publisher_naming_the_producer_for_a_copy_fails(mini):
    registry = plant_copy(
        mini, kind="third-party copy", reliability="medium", publisher='"Atlantis Statistical Office (a copy)"'
    )
    line = line_of(registry, "- id: widget-census-copy")
    out = check(mini).stdout
    assert f"data/sources.yaml:{line}: entry 'widget-census-copy' field 'publisher': names 'Atlantis statistics'" in (
        out
    ), out


def test_a_site_on_a_shared_host_must_name_its_account(mini):
    producers = mini / "data" / settings.PRODUCERS_FILE
    producers.write_text(producers.read_text(encoding="utf-8").replace("[127.0.0.1]", "[127.0.0.1, github.com]"))
    out = check(mini).stdout
    line = line_of(producers, "- name: Atlantis Statistical Office")
    assert f"data/producers.yaml:{line}: producer 'Atlantis Statistical Office': github.com is a host many" in out, out


def test_a_note_naming_a_missing_data_file_fails(mini):
    schema = mini / "data" / "widgets.schema.yaml"
    schema.write_text(
        schema.read_text(encoding="utf-8").replace(
            "description: Widgets made per year.", "description: Widgets made per year (see widgets_alt.csv)."
        )
    )
    claims = mini / "data" / "claims.yaml"
    claims.write_text(claims.read_text(encoding="utf-8") + "  note: The older edition is in widgets_old.csv.\n")
    out = check(mini).stdout
    assert f"data/widgets.schema.yaml:{line_of(schema, 'widgets_alt.csv')}: names widgets_alt.csv, which is not" in out
    assert f"data/claims.yaml:{line_of(claims, 'widgets_old.csv')}: names widgets_old.csv, which is not" in out


def test_a_row_note_naming_a_missing_claim_fails(mini):
    data = mini / "data"
    schema = data / "widgets.schema.yaml"
    schema.write_text(
        schema.read_text(encoding="utf-8").replace(
            "primaryKey:", "- name: note\n  type: string\n  title: Note\nprimaryKey:"
        )
    )
    csv = data / "widgets.csv"
    rows = csv.read_text(encoding="utf-8").splitlines()
    rows = [rows[0] + ",note"] + [r + "," for r in rows[1:-1]] + [rows[-1] + ",as claimed in W9"]
    csv.write_text("\n".join(rows) + "\n")
    out = check(mini).stdout
    assert f"data/widgets.csv:{len(rows)}: column 'note': names claim W9, which is not in the ledger" in out, out


# --- source lines -------------------------------------------------------------------------------

PRODUCERS = {
    "Widget Office": {"name": "Widget Office", "short": "WO", "sites": ["widgets.example", "github.com/widget-office"]},
    "Compiler": {"name": "Compiler", "sites": ["compiler.example"]},
}


def entry(url: str, kind: str = "third-party copy", publisher: str | None = None, **more) -> Source:
    fields = {"producer": "Widget Office", "publisher": publisher, "url_main": url, "kind": kind, **more}
    return Source.from_dict(fields)


def test_a_label_names_who_published_the_page_read():
    own = entry("https://data.widgets.example/t.csv", "producer data file")
    assert provenance.label(own, PRODUCERS) == "WO (data.widgets.example)"
    repo = entry("https://github.com/widget-office/data/blob/abc/t.csv", "producer data file")
    assert provenance.label(repo, PRODUCERS) == "WO (widget-office/data on GitHub)"
    copy = entry("https://github.com/someone/course/blob/abc/t.csv", publisher="someone (a course)")
    assert provenance.label(copy, PRODUCERS) == "WO figures, via a copy in someone/course (GitHub)"
    news = entry("https://news.example/a", "news coverage", "Daily News (reporting WO)")
    assert provenance.label(news, PRODUCERS) == "WO figures, via a news report by Daily News (news.example)"
    read_as = entry(
        "https://github.com/anon/site/blob/abc/x.js", "secondary summary", read_as="an unofficial transcription"
    )
    assert provenance.label(read_as, PRODUCERS) == "WO figures, via an unofficial transcription in anon/site (GitHub)"
    compiled = entry("https://compiler.example/t", "compiled dataset", "Compiler")
    assert provenance.label(compiled, PRODUCERS) == "WO figures, published by Compiler (compiler.example)"
    for e in (copy, news, read_as):
        assert not provenance.is_own_page(e, PRODUCERS)


def test_no_real_label_shows_the_producer_alone_beside_someone_elses_site():
    producers = D.producers()
    for e in D.registry():
        label = pages.source_label(e)
        if not provenance.is_own_page(e, producers):
            assert " via " in label or " published by " in label, (e.id, label)
            assert e.kind not in settings.FIRST_HAND_KINDS and e.reliability != "high", e.id


def test_twin_labels_are_told_apart_by_publication_date_not_a_year_in_the_title():
    a = entry(
        "https://news.example/a", "news coverage", "Daily News", date_published="2025-03", title="Gap through 2028"
    )
    b = entry("https://news.example/b", "news coverage", "Daily News", date_published="2024-11", title="Gap")
    la, lb = pages.source_labels([a, b])
    assert la.endswith(", 2025") and lb.endswith(", 2024"), (la, lb)
    assert "2028" not in la


def meta(columns: list[str], rows: list[list]) -> ChartMeta:
    return ChartMeta.from_dict({"table": {"columns": columns, "rows": rows}, "datasets": []})


def test_a_chart_says_when_its_data_end():
    assert pages.data_end(meta(["year", "v"], [[2022, 1], [2024, 2]])) == "Data to 2024"
    assert pages.data_end(meta(["date", "v"], [["2024-01", 1], ["2024-08", 2]])) == "Data to August 2024"
    projected = meta(["year", "v", "status"], [[2024, 1, "reported"], [2029, 2, "projected"]])
    assert pages.data_end(projected) == "Data to 2024; projections to 2029"
    assert pages.data_end(meta(["label", "v"], [["a", 1]])) == ""


def test_every_chart_on_the_site_says_when_its_data_end_and_whose_pages_were_read(site):
    import re

    from conftest import html_pages

    lines = []
    for page in html_pages(site):
        lines += re.findall(r'<p class="chart__sources">(.*?)</p>', page.read_text(encoding="utf-8"), re.S)
    assert lines, "no chart source line found"
    for line in lines:
        text = re.sub(r"<[^>]+>", "", line)
        assert re.search(r"\b(Data|Projections) to (\w+ )?(19|20)\d\d\b", text), text
        assert "(github.com)" not in text, text


def test_a_dataset_read_only_in_copies_says_so_in_words(mini, monkeypatch):
    from explainer.core import source_quality as footing

    monkeypatch.setenv(settings.ENV_DATA, os.environ.get(settings.ENV_DATA, ""))  # restored after the test

    plant_copy(mini, kind="third-party copy", reliability="low", publisher='"someone (a course)"')
    csv = mini / "data" / "widgets.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("widget-census-2024", "widget-census-copy"))
    monkeypatch.setenv(settings.ENV_DATA, str(mini / "data"))
    words = footing.shortfall_words(["widgets"])
    total, _ = footing.tally()
    assert words == (
        "These figures were read in copies; the producer's own publication or file could not be read here. "
        "All of these figures rest on pages we rate low."
    ), words
    assert footing.shortfalls(total)
