"""One build's preparation, shared by `make build` and `make serve`.

Validate the data, build the charts that changed, and list the generated files the site
serves. Under `make serve` a bad edit does not take the site down: the problems are
returned for the pages to show, and the last data that validated (a snapshot kept in
build/last-good-data) and the last charts that built keep being served.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path
from typing import Iterator

from charts import data as D
from charts._site import paths, render, validate

_ORIGINAL_DATA_DIR = os.environ.get("SITE_DATA_DIR")


def inputs_fingerprint() -> str:
    """A hash of the data and the chart code: what the Methods notebook's output depends on."""
    h = hashlib.sha256()
    data = Path(_ORIGINAL_DATA_DIR) if _ORIGINAL_DATA_DIR else paths.ROOT / "data"
    for p in sorted(list(data.glob("*")) + list(paths.charts_dir().rglob("*.py"))):
        if p.is_file():
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def _validation_key() -> str:
    """Everything check_all reads: the data, the chart modules, the page names and its own code."""
    h = hashlib.sha256()
    here = Path(__file__).parent
    files = sorted(paths.data_dir().glob("*")) + sorted(paths.charts_dir().glob("*.py")) + \
        [here / "validate.py", here / "claims.py", paths.ROOT / "charts" / "data.py"]
    for p in files:
        if p.is_file():
            h.update(p.name.encode())
            h.update(p.read_bytes())
    h.update("\n".join(sorted(p.name for p in paths.docs_dir().glob("*.md"))).encode())
    return h.hexdigest()[:24]


def _check_data() -> list:
    """validate.check_all, skipped when exactly these inputs were validated before."""
    marker = paths.out_dir() / "validated" / _validation_key()
    if marker.exists():
        return []
    problems = validate.check_all()
    if not problems:
        shutil.rmtree(marker.parent, ignore_errors=True)
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    return problems


def _snapshot_dir() -> Path:
    return paths.out_dir() / "last-good-data"


def _use_data_dir(path: str | None) -> None:
    if path is None:
        os.environ.pop("SITE_DATA_DIR", None)
    else:
        os.environ["SITE_DATA_DIR"] = path


def prepare(serve: bool, log) -> tuple[str, dict[str, str]]:
    """Returns (data problems as text, {chart id: error}) -- both empty when all is well."""
    _use_data_dir(_ORIGINAL_DATA_DIR)
    problems = _check_data()
    banner = ""
    if problems:
        text = "\n".join(str(p) for p in problems)
        for p in problems:
            log.error(str(p))
        banner = text
        snap = _snapshot_dir()
        if not (serve and snap.exists()):
            return banner, {}
        _use_data_dir(str(snap))   # serve: keep building from the last data that validated
    elif serve:
        _snapshot(paths.data_dir(), _snapshot_dir())

    outcomes = render.run(log=log.info)   # prints a line per chart, failures included
    return banner, {o.chart_id: "\n".join(str(p) for p in o.problems) for o in outcomes if o.status == "failed"}


def _snapshot(src: Path, dst: Path) -> None:
    tmp = dst.with_name(dst.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(src, tmp)
    shutil.rmtree(dst, ignore_errors=True)
    os.replace(tmp, dst)


def generated_files() -> Iterator[tuple[str, Path]]:
    """(URI in the site, file) for every generated asset: chart artifacts, the Vega bundle, the datasets."""
    charts = paths.out_dir() / "charts"
    for p in sorted(charts.glob("*")):
        if p.is_file() and not p.name.startswith(".") and not p.name.endswith(".meta.json"):
            yield f"assets/charts/{p.name}", p
    yield "assets/vendor/vega-bundle.js", paths.out_dir() / "vendor" / "vega-bundle.js"
    for name in D.dataset_names():
        yield f"assets/data/{name}.csv", D.dataset_path(name)
        yield f"assets/data/{name}.schema.yaml", D.schema_path(name)
    yield "assets/data/sources.yaml", paths.data_dir() / "sources.yaml"
    yield "assets/data/claims.yaml", paths.data_dir() / "claims.yaml"


_MATHJAX = re.compile(r'<!-- Load mathjax -->\s*<script src="[^"]*">\s*</script>\s*<!-- MathJax configuration -->\s*'
                      r'<script type="text/x-mathjax-config">.*?</script>\s*<!-- End of mathjax configuration -->', re.S)


_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.S)
_MERMAID = re.compile(r'<script type="module">\s*document\.addEventListener\("DOMContentLoaded".*?mermaid.*?</script>', re.S)


def clean_notebook_html(page: str) -> str:
    """Keep the notebook page light and self-contained.

    nbconvert adds a MathJax loader (a CDN, or an empty src) and a Mermaid loader that imports
    from a CDN; the Methods page has neither maths nor diagrams, so both go. Its JupyterLab theme
    is a 570 KB inline stylesheet; it is replaced by assets/css/notebook.css (a few lines).
    """
    if "jupyter-wrapper" not in page:
        return page
    page = _MATHJAX.sub("", page)
    page = _MERMAID.sub("", page)

    def keep(m: re.Match) -> str:
        css = m.group(1)
        # Drop the JupyterLab theme and variables and the Mermaid styles; keep small scoped rules
        # (pandas tables) and the code-highlighting classes, which notebook.css maps to Material.
        if ".jupyter-wrapper{" in css.replace(" ", "") or ".jp-Mermaid" in css:
            return ""
        return m.group(0)

    page = _STYLE.sub(keep, page)
    # jupytext gives every cell a random id, and nbconvert writes it into the page: number the
    # cells instead, so two builds of the same commit are byte-identical.
    counter = iter(range(1, 10_000))
    page = re.sub(r'id="cell-id=[^"]*"', lambda m: f'id="cell-{next(counter)}"', page)
    root = re.search(r'<link rel="stylesheet" href="([^"]*)assets/stylesheets/main\.[^"]+\.min\.css"', page)
    href = (root.group(1) if root else "../") + "assets/css/notebook.css"
    return page.replace("</head>", f'  <link rel="stylesheet" href="{href}">\n  </head>', 1)
