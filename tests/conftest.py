"""Shared fixtures: one real build of the site per test session, and scratch copies of data/."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from explainer.core import files

ROOT = Path(__file__).resolve().parents[1]
# The command line sets this for the MkDocs processes it starts (cli.main); the tests start some
# themselves (`mkdocs serve` in test_serve_loop, builds in-process), so the session sets it too.
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


def nav() -> list[tuple[str, str]]:
    """(title, file) of every page in mkdocs.yml's nav, in order (read as plain YAML: no MkDocs)."""
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_ConfigLoader)
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
