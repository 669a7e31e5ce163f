"""Where things live. Tests point these at copies through environment variables."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """The datasets, registry and claims ledger (read-only for every build step)."""
    return Path(os.environ.get("SITE_DATA_DIR", ROOT / "data")).resolve()


def docs_dir() -> Path:
    return Path(os.environ.get("SITE_DOCS_DIR", ROOT / "docs")).resolve()


def charts_dir() -> Path:
    """The chart modules (one chart per file)."""
    return Path(os.environ.get("SITE_CHARTS_DIR", ROOT / "charts")).resolve()


def out_dir() -> Path:
    """Generated, git-ignored artifacts: chart files, the Vega bundle, caches."""
    return Path(os.environ.get("SITE_BUILD_DIR", ROOT / "build")).resolve()


def rel(path: Path) -> str:
    """A path as authors see it in messages: relative to the repository when possible."""
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)
