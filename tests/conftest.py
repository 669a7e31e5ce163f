"""Shared fixtures: the engine's fixture explainer (tests/fixtures/mini) built once per session, the
real site built once per session, scratch copies of either, and check-data run in-process."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from explainer.core import files

ROOT = Path(__file__).resolve().parents[1]
# The command line sets NO_MKDOCS_2_WARNING for the MkDocs processes it starts (cli.main); the tests
# start some themselves (`mkdocs serve` in test_serve_loop, builds in-process), so the session sets it too.
# The engine's fixture: a small explainer whose figures the tests control (engine tests use it, not
# the essay's live figures; the essay's own checks are in tests/test_this_essay.py).
MINI = ROOT / "tests" / "fixtures" / "mini"
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
# The session's site is built as the deploy builds it, with a public address (never a local one:
# tests/test_guards.py builds without one).
os.environ.setdefault("SITE_URL", "https://example.org/")  # at the root: `serve` mounts the site at its path


class _ConfigLoader(yaml.SafeLoader):
    """Safe YAML that reads MkDocs' `!ENV [NAME, default]` tags as their default."""


_ConfigLoader.add_constructor("!ENV", lambda loader, node: loader.construct_sequence(node)[-1])


def run_explainer(*args: str, cwd: Path = ROOT, keep_repo: bool = True, **env: str) -> subprocess.CompletedProcess:
    """`python -m explainer ARGS` as an author runs it: none of the test session's EXPLAINER_*
    overrides (nor REPO_URL, unless `keep_repo`), plus `env`."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("EXPLAINER_") and (keep_repo or k != "REPO_URL")}
    return subprocess.run(
        [sys.executable, "-m", "explainer", *args],
        cwd=cwd,
        env={**environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
    )


def nav(project: Path = ROOT) -> list[tuple[str, str]]:
    """(title, file) of every page in mkdocs.yml's nav, in order (read as plain YAML: no MkDocs)."""
    config = yaml.load((project / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_ConfigLoader)
    return [(title, file) for item in config["nav"] for title, file in item.items()]


def essay_headings() -> list[str]:
    text = (ROOT / "data" / "essay.txt").read_text(encoding="utf-8")
    titles = {t for t, f in nav() if not _generated(f)}
    return [ln.strip() for ln in text.splitlines() if ln.strip() in titles]


def _generated(file: str) -> bool:
    """A page whose content the engine generates (the source registry, the fact-check table)."""
    text = (ROOT / "docs" / file).read_text(encoding="utf-8")
    return "<!-- sources -->" in text or "<!-- fact-check -->" in text


# The section pages: the nav's written pages that carry one of the essay's headings, in nav order.
SECTION_PAGES = [(t, f) for t, f in nav() if t in set(essay_headings()) and not _generated(f)]


def tree_digest(path: Path) -> str:
    """A hash of every file's name and bytes under a folder."""
    return files.fingerprint(files.tree(path), root=path)


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The real site, built once (strict) into a temporary folder."""
    out = tmp_path_factory.mktemp("site") / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "explainer", "build", "--site-dir", str(out)], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


@pytest.fixture
def data_copy(tmp_path, monkeypatch) -> Path:
    """A scratch copy of data/ that EXPLAINER_DATA_DIR points at for the test."""
    copy = tmp_path / "data"
    shutil.copytree(ROOT / "data", copy)
    monkeypatch.setenv("EXPLAINER_DATA_DIR", str(copy))
    return copy


def html_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html"))


# --- the engine's fixture -------------------------------------------------------------------------


def _without_explainer_env() -> dict[str, str]:
    """The EXPLAINER_* overrides of the environment, removed (and returned, to put back)."""
    return {k: os.environ.pop(k) for k in [k for k in os.environ if k.startswith("EXPLAINER_")]}


@contextlib.contextmanager
def use_project(project: Path, **env: str):
    """Run the engine in-process on `project` (with `env`'s EXPLAINER_* overrides and no others);
    the previous project and environment are restored afterwards."""
    from explainer.core import project as projects

    before, saved = list(projects._chosen), _without_explainer_env()
    os.environ.update(env, EXPLAINER_PROJECT=str(project))
    projects.use(None)  # found from the environment: a test may point a folder elsewhere (EXPLAINER_BUILD_DIR)
    try:
        yield project
    finally:
        projects._chosen[:] = before
        for k in [k for k in os.environ if k.startswith("EXPLAINER_")]:
            del os.environ[k]
        os.environ.update(saved)


def check_data(project: Path, **env: str) -> tuple[int, str]:
    """`check-data` run in-process on a project: (its exit status, what it printed, problems first).
    The one place tests call the validator; the CLI itself is tested once, in a subprocess."""
    from explainer.steps import validate

    out, err = io.StringIO(), io.StringIO()
    with use_project(project, **env), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = validate.main([])
    return status, out.getvalue() + err.getvalue()


def problem_lines(text: str) -> list[str]:
    """The problems check-data printed (`file:line: place: message [rule]`), without its summary."""
    return [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("check-data:")]


def copy_mini(dest: Path) -> Path:
    """A scratch copy of the fixture explainer (without its planted errors)."""
    shutil.copytree(MINI, dest, ignore=shutil.ignore_patterns("planted", "site", "build", "__pycache__"))
    return dest


@pytest.fixture
def mini(tmp_path) -> Path:
    """A scratch copy of the fixture explainer that the engine, in-process, reads for the test."""
    with use_project(copy_mini(tmp_path / "mini")) as project:
        yield project


@pytest.fixture(scope="session")
def mini_build(tmp_path_factory) -> tuple[Path, Path]:
    """The fixture explainer built once per session (strict): (its site, its build folder with
    every chart rendered). Tests read both; a test that renders or mutates copies the build folder."""
    base = tmp_path_factory.mktemp("mini-build")
    site, build = base / "site", base / "build"
    proc = run_explainer("--project", str(MINI), "build", "--site-dir", str(site), EXPLAINER_BUILD_DIR=str(build))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return site, build


@pytest.fixture(scope="session")
def mini_site(mini_build) -> Path:
    return mini_build[0]


@pytest.fixture
def mini_rendered(mini, mini_build, tmp_path) -> Path:
    """`mini` with a copy of the session's rendered build folder: charts already rendered once."""
    build = tmp_path / "build"
    shutil.copytree(mini_build[1], build)
    os.environ["EXPLAINER_BUILD_DIR"] = str(build)  # use_project (in `mini`) restores the environment
    return build


def mini_nav() -> list[tuple[str, str]]:
    """(title, file) of every page in the fixture's nav."""
    return nav(MINI)
