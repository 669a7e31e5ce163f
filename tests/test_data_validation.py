"""The validator: passes on the fixture explainer, and reports every kind of bad input with its place.

Run in-process on scratch copies of tests/fixtures/mini (conftest.check_data); one test runs the
command line itself, for its exit status and output. The essay's own data are checked in
tests/test_this_essay.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import MINI, check_data, copy_mini, problem_lines, run_explainer, tree_digest

from explainer.core import data as D


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not found in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return i
    raise AssertionError(needle)


def test_the_fixture_is_valid_and_the_validator_never_writes():
    before = tree_digest(MINI)
    status, out = check_data(MINI)
    assert status == 0, out
    assert "check-data: 2 datasets, the registry and the claims ledger are valid" in out
    assert tree_digest(MINI) == before, "the validator must never write into data/"


def test_the_command_line_exit_status_and_output(tmp_path):
    """The CLI as authors run it: 0 and one line on valid data; 1, each problem on stdout and a
    count on stderr, on bad data."""
    project = copy_mini(tmp_path / "mini")
    ok = run_explainer("--project", str(project), "check-data")
    assert ok.returncode == 0 and ok.stdout.strip().startswith("check-data: 2 datasets"), ok.stdout + ok.stderr
    edit(project / "data" / "widgets.csv", "2024,Atlantis,120,", "2024,Atlantis,many,")
    bad = run_explainer("--project", str(project), "check-data")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "data/widgets.csv:3: column 'units': 'many' is not a valid integer" in bad.stdout, bad.stdout
    assert "check-data: 1 problem(s) found" in bad.stderr and "Traceback" not in bad.stderr


CASES = {
    "missing column": (
        lambda d: edit(d / "widgets.csv", "year,place,units,", "year,place,"),
        "widgets.csv:1",
        "missing",
    ),
    "wrong type": (
        lambda d: edit(d / "widgets.csv", "2024,Atlantis,120,", "2024,Atlantis,many,"),
        "widgets.csv:",
        "'many' is not a valid integer",
    ),
    "unknown source id": (
        lambda d: edit(d / "gadgets.csv", "2022,Lemuria,65,gadget-blog-2024", "2022,Lemuria,65,no-such-source"),
        "gadgets.csv:",
        "'no-such-source' is not in the registry",
    ),
    "duplicate registry id": (
        lambda d: edit(d / "sources.yaml", "- id: gadget-blog-2024", "- id: widget-census-2024"),
        "sources.yaml:",
        "duplicate id",
    ),
    "malformed date": (
        lambda d: edit(d / "sources.yaml", 'date_published: "2024-06"', 'date_published: "June 2024"'),
        "sources.yaml:",
        "field 'date_published'",
    ),
    "bad url": (
        lambda d: edit(
            d / "sources.yaml", "url_main: https://gadgets.example.org", "url_main: ftp//gadgets.example.org"
        ),
        "sources.yaml:",
        "field 'url_main'",
    ),
    "empty file": (lambda d: (d / "gadgets.csv").write_bytes(b""), "gadgets.csv", "the file is empty"),
    "not utf-8": (
        lambda d: (d / "widgets.csv").write_bytes(
            (d / "widgets.csv").read_bytes().replace(b"Atlantis", b"Atl\xe4ntis", 1)
        ),
        "widgets.csv:2",
        "not UTF-8",
    ),
    "ragged row": (
        lambda d: edit(d / "gadgets.csv", "2021,Lemuria,", "2021,Lemuria,extra cell,"),
        "gadgets.csv:",
        "more cells than the header",
    ),
    "duplicate key": (
        lambda d: edit(d / "widgets.csv", "2024,Mu,", "2024,Lemuria,"),
        "widgets.csv:",
        "duplicate key",
    ),
    "claim row missing": (
        lambda d: edit(
            d / "claims.yaml",
            "where: {year: 2024, place: Atlantis}, column: units}",
            "where: {year: 2031, place: Atlantis}, column: units}",
        ),
        "claims.yaml:",
        "claim W1: evidence widgets",
    ),
    "claim unknown source": (
        lambda d: edit(d / "claims.yaml", "sources: [gadget-blog-2024]", "sources: [no-such-page]"),
        "claims.yaml:",
        "claim W22: source 'no-such-page' is not in the registry",
    ),
    "claim bad verdict": (
        lambda d: edit(d / "claims.yaml", "  verdict: not checkable\n", "  verdict: mostly wrong\n"),
        "claims.yaml:",
        "claim W22 field 'verdict'",
    ),
    "stale claim id in a registry note": (
        lambda d: edit(d / "sources.yaml", "notes: Invented for the engine's own tests;", "notes: W1. Invented;"),
        "sources.yaml:",
        "entry 'gadget-blog-2024' field 'notes': names claim W1, which does not cite this entry",
    ),
    "unknown claim id in a registry note": (
        lambda d: edit(d / "sources.yaml", "notes: Invented for the engine's own tests;", "notes: W99. Invented;"),
        "sources.yaml:",
        "names claim W99, which is not in the ledger",
    ),
    "year slip names no claim": (
        lambda d: edit(d / "claims.yaml", "year_slip: W2", "year_slip: W99"),
        "claims.yaml:",
        "field 'year_slip': names 'W99', not another claim",
    ),
    "claim unknown dataset": (
        lambda d: edit(d / "claims.yaml", "{dataset: gadgets,", "{dataset: gadget,"),
        "claims.yaml:",
        "does not exist",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_reported_with_file_and_place(case, mini):
    mutate, where, what = CASES[case]
    mutate(mini / "data")
    before = tree_digest(mini / "data")
    status, out = check_data(mini)
    assert status == 1, out
    lines = [ln for ln in problem_lines(out) if where in ln and what in ln]
    assert lines, f"no line with {where!r} and {what!r} in:\n{out}"
    assert "[" in lines[0] and lines[0].rstrip().endswith("]"), "each problem names its rule"
    assert tree_digest(mini / "data") == before, "the validator must not modify its input"


def test_a_row_problem_names_the_line_and_column(mini):
    path = mini / "data" / "widgets.csv"
    edit(path, "2024,Mu,20,", "2024,Mu,many,")
    line = line_of(path, "2024,Mu,many,")
    assert f"data/widgets.csv:{line}: column 'units':" in check_data(mini)[1]


def test_all_problems_are_reported_in_one_run(mini):
    cases = ("wrong type", "unknown source id", "duplicate registry id", "ragged row", "claim bad verdict")
    for case in cases:
        CASES[case][0](mini / "data")
    lines = problem_lines(check_data(mini)[1])
    for case in cases:
        _, where, what = CASES[case]
        assert any(where in ln and what in ln for ln in lines), case


def test_an_unreadable_registry_is_reported_once_without_knock_on_errors(mini):
    """One unclosed quote in the registry: one problem, first, at the right line; no source then
    looks unknown and no entry unused."""
    path = mini / "data" / "sources.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = [i for i, ln in enumerate(lines) if ln.startswith("  title: ")][1]  # the second entry's
    lines[at] = lines[at].replace("  title: ", "  title: 'unclosed ", 1)
    path.write_text("".join(lines), encoding="utf-8")
    status, out = check_data(mini)
    problems = problem_lines(out)
    assert status == 1
    assert len(problems) == 1, out
    assert "sources.yaml:" in problems[0] and "[yaml]" in problems[0], problems[0]
    reported = int(problems[0].split("sources.yaml:")[1].split(":")[0])
    assert at + 1 <= reported <= at + 3, (at + 1, problems[0])


def test_a_missing_column_is_one_problem_naming_it(mini):
    path = mini / "data" / "widgets.csv"
    rows = path.read_text(encoding="utf-8").splitlines()
    cut = [",".join(r.split(",")[:2] + r.split(",")[3:]) for r in rows[:2]]  # header and first row, less units
    path.write_text("\n".join(cut + rows[2:]) + "\n", encoding="utf-8")
    out = problem_lines(check_data(mini)[1])
    assert len(out) == 1, out
    assert "widgets.csv:1:" in out[0] and "missing column(s) 'units'" in out[0], out[0]


def test_an_unclosed_quote_in_a_csv_is_one_problem_at_its_line(mini):
    path = mini / "data" / "widgets.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[4] = lines[4].replace(",widget-census", ',"widget-census', 1)
    path.write_text("".join(lines), encoding="utf-8")
    out = problem_lines(check_data(mini)[1])
    assert len(out) == 1, out
    assert "widgets.csv:5: a quote opened on line 5" in out[0], out[0]


def test_an_unused_registry_entry_is_reported(mini):
    with open(mini / "data" / "sources.yaml", "a", encoding="utf-8") as f:
        f.write("""
- id: lonely-page
  producer: Nobody
  publisher: Nobody's blog
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
    out = check_data(mini)[1]
    assert "entry 'lonely-page': not used by any dataset, chart or claim [unused-source]" in out, out


def test_the_data_dictionary_matches_the_schemas(mini):
    from explainer.steps import datadict

    assert datadict.main([]) == 0, "the fixture's data/README.md is stale: python -m explainer datadict --write"
    schema = mini / "data" / "gadgets.schema.yaml"
    schema.write_text(schema.read_text().replace("title: Gadgets made", "title: Gadgets produced"))
    assert datadict.main([]) == 1, "a schema change must make the committed dictionary stale"


def test_every_dataset_section_documents_every_column(mini):
    readme = (mini / "data" / "README.md").read_text(encoding="utf-8")
    names = D.dataset_names()
    assert len(names) == 2
    for name in names:
        section = readme[readme.index(f"## {name}\n") :]
        section = section[: section.find("\n## ", 5) if "\n## " in section[5:] else None]
        for f in D.schema(name)["fields"]:
            assert f"| `{f['name']}` |" in section, (name, f["name"])


def test_a_stale_data_dictionary_is_reported_by_check_data(mini):
    schema = mini / "data" / "gadgets.schema.yaml"
    schema.write_text(schema.read_text(encoding="utf-8").replace("title: Gadgets made", "title: Gadgets produced"))
    out = check_data(mini)[1]
    assert "README.md: the data dictionary is out of date" in out and "datadict --write" in out, out


def test_a_syntax_error_in_a_chart_module_is_one_line_not_a_traceback(mini):
    module = mini / "charts" / "gadgets.py"
    text = module.read_text(encoding="utf-8")
    line = text[: text.index("def build(")].count("\n") + 1
    module.write_text(text.replace("def build(", "def build( ->", 1), encoding="utf-8")
    status, out = check_data(mini)
    assert status == 1
    assert "Traceback" not in out
    assert f"gadgets.py:{line}: Python syntax error" in out, out


def test_a_schema_status_enum_that_differs_from_the_settings_is_reported(mini):
    """Every schema's `status` enum mirrors settings.STATUSES: one that drifts (a status the engine
    does not know, one it lost) fails check-data at the enum's line."""
    schema = mini / "data" / "widgets.schema.yaml"
    edit(schema, "revised, projected, estimated]", "revised, projected, guessed]")
    status, out = check_data(mini)
    line = line_of(schema, "guessed")
    assert status == 1
    assert (
        f"data/widgets.schema.yaml:{line}: column 'status': the enum must list the engine's status vocabulary, "
        "reported, preliminary, revised, projected, estimated: missing 'estimated'; unknown 'guessed' [vocabulary]"
    ) in out, out
