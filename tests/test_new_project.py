"""`python -m explainer new DIR`: a new explainer that validates, builds and passes its own tests at
once, looks like this site, and is written to, and only to, its own folder."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, run_explainer


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict[str, Path]:
    """A new explainer, validated and built from another folder, which must stay empty."""
    base = tmp_path_factory.mktemp("new")
    project, elsewhere = base / "my-explainer", base / "elsewhere"
    elsewhere.mkdir()
    proc = run_explainer("new", str(project), cwd=elsewhere)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for command in ("check-data", "build"):
        proc = run_explainer("--project", str(project), command, cwd=elsewhere)
        assert proc.returncode == 0, f"{command}:\n{proc.stdout}{proc.stderr}"
    return {"project": project, "elsewhere": elsewhere}


def test_new_writes_a_whole_explainer_whose_example_figures_say_they_are_made_up(made):
    project = made["project"]
    for name in (
        "mkdocs.yml",
        "Makefile",
        "requirements.txt",
        ".gitignore",
        "docs/index.md",
        "data/example.csv",
        "data/example.schema.yaml",
        "data/sources.yaml",
        "data/claims.yaml",
        "data/README.md",
        "charts/example.py",
        "charts/_common.py",
        "tests/test_site.py",
        ".github/workflows/pages.yml",
        ".github/workflows/test.yml",
    ):
        assert (project / name).is_file(), name
    # No figure passes for real: the page, the registry and the schema say the data are made up.
    assert "made up" in (project / "docs" / "index.md").read_text(encoding="utf-8")
    assert "Made-up figures" in (project / "data" / "sources.yaml").read_text(encoding="utf-8")
    assert "Made up" in (project / "data" / "example.schema.yaml").read_text(encoding="utf-8")
    assert 'site_name: "My explainer"' in (project / "mkdocs.yml").read_text(encoding="utf-8")  # from the folder


def test_the_new_site_shows_its_chart_as_a_static_image_in_the_sites_theme(made):
    site = made["project"] / "site"
    html = (site / "index.html").read_text(encoding="utf-8")
    assert 'id="chart-example"' in html and "assets/charts/example.light.svg" in html
    assert 'id="claim-C1"' in html and "{{" not in html
    # The house theme comes with the engine: its stylesheet and script, linked and published.
    assert 'href="assets/css/site.css"' in html and 'src="assets/js/charts.js"' in html
    assert (site / "assets" / "css" / "site.css").is_file() and (site / "assets" / "js" / "charts.js").is_file()
    assert (site / "assets" / "charts" / "example.light.svg").read_text(encoding="utf-8").startswith("<svg")


def test_commands_pointed_at_a_project_write_only_inside_it(made):
    project = made["project"]
    assert (project / "site" / "index.html").is_file() and (project / "build" / "charts").is_dir()
    assert list(made["elsewhere"].iterdir()) == [], "a command wrote into the folder it was run from"


def test_make_with_project_validates_and_builds_that_project_inside_it(made):
    project = made["project"]
    ours = ROOT / "site" / "index.html"
    before = ours.stat().st_mtime_ns if ours.exists() else None
    proc = subprocess.run(
        ["make", "--no-print-directory", "check-data", "build", f"PROJECT={project}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if not k.startswith("EXPLAINER_")},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "check-data: 1 datasets" in proc.stdout, proc.stdout
    assert f"--site-dir {project}/site" in proc.stdout and (project / "site" / "index.html").is_file()
    assert (ours.stat().st_mtime_ns if ours.exists() else None) == before, "this essay's site/ was rewritten"


def test_its_own_make_test_passes(made):
    """The new project's `make test` with this virtual environment (VENV=: nothing installed, no network)."""
    proc = subprocess.run(
        ["make", "--no-print-directory", "test", f"VENV={sys.prefix}"],
        cwd=made["project"],
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if not k.startswith("EXPLAINER_")},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "passed" in proc.stdout


def test_new_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "notes.txt").write_text("mine\n", encoding="utf-8")
    proc = run_explainer("new", str(tmp_path))
    assert proc.returncode != 0
    assert "is not empty" in proc.stderr and "notes.txt" in proc.stderr, proc.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_a_misspelt_claim_id_names_the_nearest_one(made, tmp_path):
    project = tmp_path / "copy"
    shutil.copytree(made["project"], project, ignore=shutil.ignore_patterns("site", "build", ".*"))
    page = project / "docs" / "index.md"
    page.write_text(page.read_text(encoding="utf-8").replace("{{ essay C1 }}", "{{ essay c1 }}"), encoding="utf-8")
    proc = run_explainer("--project", str(project), "expand", str(tmp_path / "out"), cwd=tmp_path)
    assert proc.returncode != 0
    assert re.search(r"docs/index\.md:\d+: unknown claim id 'c1' \(did you mean 'C1'\?\)", proc.stdout + proc.stderr), (
        proc.stdout + proc.stderr
    )


def test_the_data_dictionary_documents_every_field_of_the_claims_ledger(made):
    text = (made["project"] / "data" / "README.md").read_text(encoding="utf-8")
    assert "## The claims ledger (`claims.yaml`)" in text
    for field in ("id", "section", "quote", "figure.value", "figure.reading", "compare.op", "compare.of", "verdict"):
        assert f"| `{field}` |" in text, field
