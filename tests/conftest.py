"""Shared fixtures: one real build of the site per test session, and scratch copies of data/."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

SECTION_PAGES = [
    ("Two Different Roads", "two-different-roads.md"),
    ("Why the US Bet on AGI", "why-the-us-bet-on-agi.md"),
    ("Why China Went the Other Way", "why-china-went-the-other-way.md"),
    ("The Data Problem Nobody Talks About", "the-data-problem.md"),
    ("The Electricity Constraint", "the-electricity-constraint.md"),
    ("So What Is AI Actually For?", "what-is-ai-for.md"),
    ("Not a Zero-Sum Game", "not-a-zero-sum-game.md"),
]


def tree_digest(path: Path) -> str:
    """A hash of every file's name and bytes under a folder."""
    h = hashlib.sha256()
    for p in sorted(path.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(path)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The real site, built once (strict) into a temporary folder."""
    out = tmp_path_factory.mktemp("site") / "site"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "charts._site.build", "--site-dir", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


@pytest.fixture
def data_copy(tmp_path, monkeypatch) -> Path:
    """A scratch copy of data/ that SITE_DATA_DIR points at for the test."""
    copy = tmp_path / "data"
    shutil.copytree(ROOT / "data", copy)
    monkeypatch.setenv("SITE_DATA_DIR", str(copy))
    return copy


def html_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html"))
