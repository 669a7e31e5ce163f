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
from typing import Callable, Iterator

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
    problems = validate.check_all()
    banner = ""
    if problems:
        text = "\n".join(str(p) for p in problems)
        for p in problems:
            log.error(str(p))
        banner = text
        snap = _snapshot_dir()
        if serve and snap.exists():
            _use_data_dir(str(snap))
        elif serve:
            return banner, {}
        else:
            return banner, {}
    elif serve:
        _snapshot(paths.data_dir(), _snapshot_dir())

    outcomes = render.run(log=log.info)
    errors = {o.chart_id: "\n".join(str(p) for p in o.problems) for o in outcomes if o.status == "failed"}
    for o in outcomes:
        for p in o.problems:
            log.error(str(p))
    return banner, errors


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


def clean_notebook_html(page: str) -> str:
    """nbconvert always adds a MathJax loader (a CDN, or an empty src); the Methods page has no maths."""
    return _MATHJAX.sub("", page)
