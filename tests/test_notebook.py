"""The Methods notebook: executed at build time, fails loudly, stays light and self-contained."""

from __future__ import annotations

import json
import subprocess
import sys

import yaml
from conftest import ROOT


def test_the_methods_page_is_the_executed_notebook(site):
    """Its cells' output is in the page (what it says is the essay's: tests/test_this_essay.py), without
    nbconvert's CDN loaders."""
    page = (site / "methods" / "index.html").read_text(encoding="utf-8")
    assert "jp-OutputArea-output" in page, "cell outputs must be in the page"
    assert "require.js" not in page and "mathjax" not in page.lower()


def test_the_search_index_carries_no_chart_payloads(site):
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    for doc in index["docs"]:
        assert "$schema" not in doc["text"] and '"encoding"' not in doc["text"], doc["location"]
    assert (site / "search" / "search_index.json").stat().st_size < 1_500_000


def test_a_cell_that_raises_fails_the_build_naming_the_cell(tmp_path):
    raw = yaml.safe_load((ROOT / "mkdocs.yml").read_text().replace("!ENV", ""))
    plugin = next(p["mkdocs-jupyter"] for p in raw["plugins"] if isinstance(p, dict) and "mkdocs-jupyter" in p)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Home\n")
    (docs / "methods.py").write_text(
        "# %% [markdown]\n# # Methods\n\n# %%\nx = 1\n\n# %%\nraise ValueError('the ratio cell broke')\n"
    )
    config = {
        "site_name": "fixture",
        "strict": True,
        "theme": {"name": "material"},
        "plugins": [{"mkdocs-jupyter": {**plugin, "cache": False}}],
        "nav": [{"Home": "index.md"}, {"Methods": "methods.py"}],
    }
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config))
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    assert "raise ValueError('the ratio cell broke')" in out and "ValueError" in out
