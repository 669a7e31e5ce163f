"""The validator: passes on the real data, and reports every kind of bad input with its place."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, tree_digest

from explainer.core import data as D
from explainer.core.project import Project
from explainer.steps import validate


def run_check(data: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "EXPLAINER_DATA_DIR": str(data)}
    return subprocess.run(
        [sys.executable, "-m", "explainer", "check-data"], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_the_real_data_is_valid():
    before = tree_digest(ROOT / "data")
    proc = run_check(ROOT / "data")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert tree_digest(ROOT / "data") == before, "the validator must never write into data/"


def test_there_is_enough_sourced_data():
    names = D.dataset_names()
    assert len(names) >= 10
    assert len(D.registry()) >= 25
    # A value is one dataset row (settings.FOOTING_TARGETS, the Sources page); what is counted here is
    # the measured cells the rows fill (a row may hold several numbers).
    measured_cells = 0
    for name in names:
        schema = D.schema(name)
        measured = [
            f["name"] for f in schema["fields"] if f.get("type") in ("number", "integer") and f["name"] != "year"
        ]
        df = D.load(name)
        measured_cells += int(df[measured].notna().sum().sum())
        assert df["source"].notna().all() and df["status"].notna().all(), name
    assert measured_cells >= 150


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not found in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return i
    raise AssertionError(needle)


CASES = {
    "missing column": (
        lambda d: edit(d / "robot_installations.csv", "year,country,units,", "year,country,"),
        "robot_installations.csv:1",
        "missing",
    ),
    "wrong type": (
        lambda d: edit(d / "robot_installations.csv", "2024,China,295000,", "2024,China,many,"),
        "robot_installations.csv:",
        "'many' is not a valid integer",
    ),
    "unknown source id": (
        lambda d: edit(d / "private_ai_investment.csv", "tingwei-aiindex2026-economy", "no-such-source"),
        "private_ai_investment.csv:",
        "'no-such-source' is not in the registry",
    ),
    "duplicate registry id": (
        lambda d: edit(d / "sources.yaml", "- id: ifr-wr2025-reuters-tradingkey", "- id: ifr-wr2025-finanznachrichten"),
        "sources.yaml:",
        "duplicate id",
    ),
    "malformed date": (
        lambda d: edit(d / "sources.yaml", 'date_published: "2025-09"', 'date_published: "Sept 2025"'),
        "sources.yaml:",
        "field 'date_published'",
    ),
    "bad url": (
        lambda d: edit(
            d / "sources.yaml", "url_main: https://www.finanznachrichten.de", "url_main: ftp//www.finanznachrichten.de"
        ),
        "sources.yaml:",
        "field 'url_main'",
    ),
    "empty file": (lambda d: (d / "model_gap.csv").write_bytes(b""), "model_gap.csv", "the file is empty"),
    "not utf-8": (
        lambda d: (d / "smart_factories.csv").write_bytes(
            (d / "smart_factories.csv").read_bytes().replace(b"basic", b"b\xe9sic", 1)
        ),
        "smart_factories.csv:2",
        "not UTF-8",
    ),
    "ragged row": (
        lambda d: edit(d / "text_stock.csv", "Llama 2,training set,", "Llama 2,extra cell,training set,"),
        "text_stock.csv:",
        "more cells than the header",
    ),
    "duplicate key": (
        lambda d: edit(d / "robot_installations.csv", "2024,Japan,", "2024,China,"),
        "robot_installations.csv:",
        "duplicate key",
    ),
    "claim row missing": (
        lambda d: edit(
            d / "claims.yaml",
            "where: {year: 2024, country: China}, column: units}",
            "where: {year: 2031, country: China}, column: units}",
        ),
        "claims.yaml:",
        "claim C04: evidence robot_installations",
    ),
    "claim unknown source": (
        lambda d: edit(d / "claims.yaml", "sources: [globalnews-facebook-meta-2021-10-28]", "sources: [no-such-page]"),
        "claims.yaml:",
        "claim C09: source 'no-such-page' is not in the registry",
    ),
    "claim bad verdict": (
        lambda d: edit(
            d / "claims.yaml", "  verdict: matches\n  finding: Facebook", "  verdict: mostly wrong\n  finding: Facebook"
        ),
        "claims.yaml:",
        "claim C09 field 'verdict'",
    ),
    "stale claim id in a registry note": (
        lambda d: edit(d / "sources.yaml", "notes: 'C09. ", "notes: 'C07. "),
        "sources.yaml:",
        "entry 'globalnews-facebook-meta-2021-10-28' field 'notes': names claim C07, which does not cite this entry",
    ),
    "unknown claim id in a registry note": (
        lambda d: edit(d / "sources.yaml", "notes: 'C09. ", "notes: 'C99. "),
        "sources.yaml:",
        "names claim C99, which is not in the ledger",
    ),
    "year slip names no claim": (
        lambda d: edit(d / "claims.yaml", "year_slip: C04", "year_slip: C99"),
        "claims.yaml:",
        "field 'year_slip': names 'C99', not another claim",
    ),
    "claim unknown dataset": (
        lambda d: edit(d / "claims.yaml", "{dataset: smart_factories,", "{dataset: smart_factory,"),
        "claims.yaml:",
        "does not exist",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_reported_with_file_and_place(case, data_copy):
    mutate, where, what = CASES[case]
    mutate(data_copy)
    before = tree_digest(data_copy)
    proc = run_check(data_copy)
    assert proc.returncode == 1, proc.stdout
    lines = [ln for ln in proc.stdout.splitlines() if where in ln and what in ln]
    assert lines, f"no line with {where!r} and {what!r} in:\n{proc.stdout}"
    assert "[" in lines[0] and lines[0].rstrip().endswith("]"), "each problem names its rule"
    assert tree_digest(data_copy) == before, "the validator must not modify its input"


def test_a_row_problem_names_the_line_and_column(data_copy):
    path = data_copy / "robot_installations.csv"
    edit(path, "2024,China,295000,", "2024,China,many,")
    line = line_of(path, "2024,China,many,")
    out = run_check(data_copy).stdout
    assert f"data/robot_installations.csv:{line}: column 'units':" in out.replace(str(data_copy), "data")


def test_all_problems_are_reported_in_one_run(data_copy):
    for case in ("wrong type", "unknown source id", "duplicate registry id", "ragged row", "claim bad verdict"):
        CASES[case][0](data_copy)
    out = run_check(data_copy).stdout
    for case in ("wrong type", "unknown source id", "duplicate registry id", "ragged row", "claim bad verdict"):
        _, where, what = CASES[case]
        assert any(where in ln and what in ln for ln in out.splitlines()), case


def test_an_unreadable_registry_is_reported_once_without_knock_on_errors(data_copy):
    """One unclosed quote in the registry: one problem, first, at the right line; no source then
    looks unknown and no entry unused."""
    path = data_copy / "sources.yaml"
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    at = next(i for i, ln in enumerate(lines) if ln.startswith("  title: ") and i > 20)
    lines[at] = lines[at].replace("  title: ", "  title: 'unclosed ", 1)
    path.write_text("".join(lines), encoding="utf-8")
    proc = run_check(data_copy)
    problems = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    assert proc.returncode == 1
    assert len(problems) == 1, proc.stdout
    assert "sources.yaml:" in problems[0] and "[yaml]" in problems[0], problems[0]
    reported = int(problems[0].split("sources.yaml:")[1].split(":")[0])
    assert at + 1 <= reported <= at + 3, (at + 1, problems[0])


def test_a_missing_column_is_one_problem_naming_it(data_copy):
    path = data_copy / "robot_installations.csv"
    rows = path.read_text(encoding="utf-8").splitlines()
    cut = [",".join(r.split(",")[:3] + r.split(",")[4:]) for r in rows[:2]]  # header and first row
    path.write_text("\n".join(cut + rows[2:]) + "\n", encoding="utf-8")
    out = [ln for ln in run_check(data_copy).stdout.splitlines() if ln.strip()]
    assert len(out) == 1, out
    assert "robot_installations.csv:1:" in out[0] and "missing column(s) 'edition'" in out[0], out[0]


def test_an_unclosed_quote_in_a_csv_is_one_problem_at_its_line(data_copy):
    path = data_copy / "robot_installations.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[4] = lines[4].replace(",reported,", ',"reported,', 1)
    path.write_text("".join(lines), encoding="utf-8")
    out = [ln for ln in run_check(data_copy).stdout.splitlines() if ln.strip()]
    assert len(out) == 1, out
    assert "robot_installations.csv:5: a quote opened on line 5" in out[0], out[0]


def test_an_unused_registry_entry_is_reported(data_copy):
    with open(data_copy / "sources.yaml", "a", encoding="utf-8") as f:
        f.write("""
- id: lonely-page
  producer: Nobody
  publisher: null
  title: A page nothing cites
  citation_full: Nobody (2026). A page nothing cites.
  url_main: https://example.org/lonely
  primary: null
  primary_url: null
  url_archive: null
  kind: news coverage
  reliability: low
  date_published: "2026"
  date_accessed: "2026-11-29"
  license: null
  notes: null
""")
    out = run_check(data_copy).stdout
    assert "entry 'lonely-page': not used by any dataset, chart or claim [unused-source]" in out


def test_quotes_are_short_and_verbatim_from_the_essay():
    essay = (ROOT / "data" / "essay.txt").read_text(encoding="utf-8")

    def norm(s: str) -> str:
        return s.replace("’", "'").replace("“", '"').replace("”", '"')

    for c in D.claims():
        assert len(c.quote.split()) <= validate.MAX_QUOTE_WORDS, c.id
        assert norm(c.quote) in norm(essay), f"{c.id}: quote not found verbatim in the essay"


def test_the_data_dictionary_matches_the_schemas(data_copy):
    from explainer.steps import datadict

    assert datadict.main([]) == 0, "data/README.md is stale: python -m explainer datadict --write"
    schema = data_copy / "model_gap.schema.yaml"
    schema.write_text(schema.read_text().replace("title: US lead", "title: Lead of the US model"))
    assert datadict.main([]) == 1, "a schema change must make the committed dictionary stale"


def test_every_dataset_section_documents_every_column():
    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    for name in D.dataset_names():
        section = readme[readme.index(f"## {name}\n") :]
        section = section[: section.find("\n## ", 5) if "\n## " in section[5:] else None]
        for f in D.schema(name)["fields"]:
            assert f"| `{f['name']}` |" in section, (name, f["name"])


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


def test_a_stale_data_dictionary_is_reported_by_check_data(data_copy):
    schema = data_copy / "model_gap.schema.yaml"
    schema.write_text(schema.read_text(encoding="utf-8").replace("title: US lead", "title: Lead of the US model"))
    out = run_check(data_copy).stdout
    assert "README.md: the data dictionary is out of date" in out and "datadict --write" in out, out


def test_a_syntax_error_in_a_chart_module_is_one_line_not_a_traceback(tmp_path):
    charts = tmp_path / "charts"
    shutil.copytree(ROOT / "charts", charts, ignore=shutil.ignore_patterns("__pycache__"))
    module = charts / "robot_installations.py"
    text = module.read_text(encoding="utf-8")
    line = text[: text.index("def build(")].count("\n") + 1
    module.write_text(text.replace("def build(", "def build( ->", 1), encoding="utf-8")
    env = {**os.environ, "EXPLAINER_CHARTS_DIR": str(charts)}
    proc = subprocess.run(
        [sys.executable, "-m", "explainer", "check-data"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert f"robot_installations.py:{line}: Python syntax error" in proc.stdout, proc.stdout


def test_a_schema_status_enum_that_differs_from_the_settings_is_reported(tmp_path, monkeypatch):
    """Every schema's `status` enum mirrors settings.STATUSES: one that drifts (a status the engine
    does not know, one it lost) fails check-data at the enum's line."""
    project = tmp_path / "mini"
    shutil.copytree(ROOT / "tests" / "fixtures" / "mini", project, ignore=shutil.ignore_patterns("site", "build"))
    for var in ("EXPLAINER_DATA_DIR", "EXPLAINER_PROJECT", "EXPLAINER_CHARTS_DIR"):
        monkeypatch.delenv(var, raising=False)
    schema = project / "data" / "widgets.schema.yaml"
    edit(schema, "revised, projected, estimated]", "revised, projected, guessed]")
    problems = [str(p) for p in validate.check_all(Project.load(project))]
    line = line_of(schema, "guessed")
    assert (
        f"data/widgets.schema.yaml:{line}: column 'status': the enum must list the engine's status vocabulary, "
        "reported, preliminary, revised, projected, estimated: missing 'estimated'; unknown 'guessed' [vocabulary]"
    ) in problems, problems
