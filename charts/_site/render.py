"""The chart runner: chart modules in, artifacts out, each chart rendered only when its inputs change.

For every chart `charts/<id>.py` it writes to `build/charts/`: the theme-neutral Vega-Lite
spec, static SVGs (light and dark, wide and narrow), a PNG for sharing, the chart's data as
CSV and a metadata file the pages embed from. Output is deterministic, and cached on a hash
of everything that can change it: the module and helper code, the datasets the chart read,
the registry, the theme and the library versions.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import inspect
import json
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from charts import data as D
from charts._site import paths, theme
from charts._site.problems import Problem

NOT_CHARTS = {"data", "__init__", "__main__"}
META_COLUMNS = ("source", "status", "note")
ARTIFACTS = ("vl.json", "light.svg", "dark.svg", "narrow.light.svg", "narrow.dark.svg", "png", "csv", "meta.json")
# Altair and vl-convert are imported only when a chart is actually rendered: checking that
# nothing changed must stay fast (they take over a second to import).


def vega_lite_version() -> str:
    """The Vega-Lite version Altair writes specs for, e.g. "6.4"."""
    import altair as alt
    return alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0]


class ChartError(Exception):
    """A chart could not be built; the message names the chart and the problem."""


@dataclass
class Outcome:
    chart_id: str
    status: str                 # built | unchanged | failed
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)


def discover() -> list[str]:
    """Chart ids: the chart modules' stems."""
    return sorted(p.stem for p in paths.charts_dir().glob("*.py")
                  if not p.stem.startswith("_") and p.stem not in NOT_CHARTS)


def out_dir() -> Path:
    return paths.out_dir() / "charts"


def artifact(chart_id: str, kind: str) -> Path:
    return out_dir() / f"{chart_id}.{kind}"


def load_module(chart_id: str):
    """Import a chart module afresh, so edits show up in a long-running `make serve`."""
    path = paths.charts_dir() / f"{chart_id}.py"
    spec = importlib.util.spec_from_file_location(f"charts.{chart_id}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- caching --------------------------------------------------------------------------

def _sha(*chunks: bytes) -> str:
    h = hashlib.sha256()
    for c in chunks:
        h.update(hashlib.sha256(c).digest())
    return h.hexdigest()


def _code_fingerprint(chart_id: str) -> list[bytes]:
    cdir = paths.charts_dir()
    helpers = sorted(cdir.glob("_*.py")) + [cdir / "data.py"]
    engine = [Path(__file__), Path(theme.__file__)]
    return [(cdir / f"{chart_id}.py").read_bytes()] + [p.read_bytes() for p in helpers + engine if p.exists()]


def _versions() -> bytes:
    v = importlib.metadata.version
    return f"altair={v('altair')};vl-convert={v('vl-convert-python')};pandas={v('pandas')}".encode()


def input_key(chart_id: str, reads: list[str]) -> str | None:
    try:
        files = [Path(r).read_bytes() for r in reads]
        schemas = [Path(r[: -len(".csv")] + ".schema.yaml").read_bytes() for r in reads]
        registry = (paths.data_dir() / "sources.yaml").read_bytes()
    except FileNotFoundError:
        return None
    return _sha(*_code_fingerprint(chart_id), *files, *schemas, registry, _versions(), "\n".join(Path(r).name for r in reads).encode())


def _cache_file() -> Path:
    return out_dir() / ".cache.json"


def _read_cache() -> dict[str, Any]:
    try:
        return json.loads(_cache_file().read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def is_fresh(chart_id: str, cache: dict[str, Any]) -> bool:
    entry = cache.get(chart_id)
    if not entry:
        return False
    reads = [str(paths.data_dir() / name) for name in entry["reads"]]
    return entry["key"] == input_key(chart_id, reads) and all(artifact(chart_id, k).exists() for k in ARTIFACTS)


# --- checks on what a module returns ----------------------------------------------------

def _doc_lines(module) -> tuple[str, str]:
    doc = inspect.getdoc(module) or ""
    lines = [ln.strip() for ln in doc.splitlines() if ln.strip()]
    if len(lines) < 2:
        raise ChartError("the module docstring needs a title line and a takeaway line")
    return lines[0], lines[1]


def _frames(chart: Any) -> list[pd.DataFrame]:
    import altair as alt

    out = []
    stack = [chart]
    while stack:
        c = stack.pop()
        d = getattr(c, "data", alt.Undefined)
        if isinstance(d, pd.DataFrame):
            out.append(d)
        for attr in ("layer", "hconcat", "vconcat", "concat"):
            sub = getattr(c, attr, alt.Undefined)
            if isinstance(sub, list):
                stack.extend(sub)
        inner = getattr(c, "spec", alt.Undefined)
        if inner is not alt.Undefined and hasattr(inner, "to_dict"):
            stack.append(inner)
    return out


def _encoded_fields(spec: Any) -> set[str]:
    found: set[str] = set()

    def walk(node: Any, in_encoding: bool) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "encoding":
                    walk(v, True)
                elif in_encoding and k == "field" and isinstance(v, str):
                    found.add(v.split(".")[0].replace("\\", ""))
                else:
                    walk(v, in_encoding)
        elif isinstance(node, list):
            for v in node:
                walk(v, in_encoding)

    walk(spec, False)
    return found


def _derived_fields(spec: Any) -> set[str]:
    """Names that transforms create (calculate, fold, aggregate, window, ...)."""
    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "as":
                    if isinstance(v, str):
                        names.add(v)
                    elif isinstance(v, list):
                        names.update(x for x in v if isinstance(x, str))
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for t in _all(spec, "transform"):
        walk(t)
    return names


def _all(node: Any, key: str) -> list[Any]:
    out = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                out.append(v)
            out.extend(_all(v, key))
    elif isinstance(node, list):
        for v in node:
            out.extend(_all(v, key))
    return out


# --- one chart ----------------------------------------------------------------------------

def _svg_size(svg: str) -> tuple[int, int]:
    m = re.search(r'<svg[^>]*\bwidth="([\d.]+)"[^>]*\bheight="([\d.]+)"', svg)
    return (round(float(m.group(1))), round(float(m.group(2)))) if m else (0, 0)


def build_one(chart_id: str) -> dict[str, Any]:
    """Build one chart's artifacts; returns its cache entry. Raises ChartError."""
    import altair as alt
    import vl_convert as vlc
    from altair.utils.schemapi import SchemaValidationError

    vl_version = vega_lite_version()
    try:
        module = load_module(chart_id)
    except Exception as e:  # noqa: BLE001 - a broken module is reported, not raised
        raise ChartError(f"the module does not import: {type(e).__name__}: {e}") from e
    title, takeaway = _doc_lines(module)
    declared = list(getattr(module, "SOURCES", []) or [])
    if not declared:
        raise ChartError("SOURCES is missing or empty: declare the registry ids the chart draws on")
    registry = D.sources_by_id()
    unknown = [s for s in declared if s not in registry]
    if unknown:
        raise ChartError(f"SOURCES names unknown registry ids: {', '.join(unknown)}")
    if not hasattr(module, "build"):
        raise ChartError("the module has no build() function")

    D.start_recording()
    try:
        chart = module.build()
        key_numbers = module.key_numbers() if hasattr(module, "key_numbers") else ""
    except SchemaValidationError as e:   # Altair checks some properties as they are set
        raise ChartError(f"the spec fails the Vega-Lite schema: {_first_line(e)}") from e
    except Exception as e:  # noqa: BLE001
        raise ChartError(f"build() failed: {type(e).__name__}: {_first_line(e)}") from e
    reads = [str(p) for p in D.recorded()]

    frames = _frames(chart)
    if not frames:
        raise ChartError("the chart has no data frame")
    table = frames[0]
    # Every column named `source` or `source_<n>` holds registry ids (ratios cite two rows).
    row_sources = sorted({s for f in frames for c in f.columns if c == "source" or c.startswith("source_")
                          for s in f[c].dropna().astype(str)})
    bad_rows = [s for s in row_sources if s not in registry]
    if bad_rows:
        raise ChartError(f"the data cite unknown registry ids: {', '.join(bad_rows)}")

    description = " ".join(x for x in (f"{title}.", takeaway, key_numbers) if x).strip()
    credit = getattr(module, "CREDIT", None) or _credit(declared, registry)
    chart = chart.properties(title=alt.Title(title, subtitle=f"Source: {credit}"), description=description)
    try:
        spec = chart.to_dict(validate=True)
    except Exception as e:  # noqa: BLE001 - altair raises SchemaValidationError and friends
        raise ChartError(f"the spec fails the Vega-Lite schema: {_first_line(e)}") from e
    columns = set().union(*(set(f.columns) for f in frames))
    missing = sorted(_encoded_fields(spec) - columns - _derived_fields(spec))
    if missing:
        raise ChartError(f"the chart encodes column(s) its data lack: {', '.join(missing)}")
    theme._rewrap_title(spec, theme.WIDE["width"])   # the live view's title, wrapped for the wide size

    files: dict[str, bytes] = {}
    dims = {}
    for variant, size in (("", theme.WIDE), ("narrow.", theme.NARROW)):
        for scheme in ("light", "dark"):
            try:
                svg = vlc.vegalite_to_svg(theme.with_config(spec, scheme, size), vl_version=vl_version)
            except Exception as e:  # noqa: BLE001
                raise ChartError(f"rendering failed ({variant}{scheme}): {e}") from e
            files[f"{variant}{scheme}.svg"] = svg.encode()
            dims[f"{variant}{scheme}"] = _svg_size(svg)
    files["png"] = vlc.vegalite_to_png(theme.with_config(spec, "light", theme.WIDE, background="#ffffff"),
                                       vl_version=vl_version, scale=2)
    files["vl.json"] = json.dumps(spec, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    files["csv"] = table.to_csv(index=False, lineterminator="\n").encode()
    shown = [c for c in table.columns if c != "note"]
    meta = {
        "id": chart_id,
        "title": title,
        "takeaway": takeaway,
        "description": description,
        "sources": declared + [s for s in row_sources if s not in declared],
        "declared_sources": declared,
        "datasets": sorted(Path(r).stem for r in reads),
        "size": {"wide": dims[""+"light"], "narrow": dims["narrow.light"]},
        "table": {"columns": shown, "rows": json.loads(table[shown].to_json(orient="values", force_ascii=False))},
    }
    files["meta.json"] = json.dumps(meta, sort_keys=True, ensure_ascii=False, indent=1).encode()
    for kind, content in files.items():
        _write_atomic(artifact(chart_id, kind), content)
    return {"key": input_key(chart_id, reads), "reads": [Path(r).name for r in reads]}


def _first_line(e: Exception) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def _credit(ids: list[str], registry: dict[str, dict]) -> str:
    names: list[str] = []
    for i in ids:
        p = registry[i]["producer"].split(" (")[0]
        if p not in names:
            names.append(p)
    return "; ".join(names[:3]) + ("; and others" if len(names) > 3 else "")


# --- the run ------------------------------------------------------------------------------

def write_shared() -> None:
    """Files every chart page needs: the browser theme and the self-hosted Vega bundle."""
    _write_if_changed(paths.out_dir() / "charts" / "theme.json",
                      json.dumps(theme.browser_themes(), sort_keys=True, separators=(",", ":")).encode())
    bundle = paths.out_dir() / "vendor" / "vega-bundle.js"
    stamp = paths.out_dir() / "vendor" / "vega-bundle.version"
    version = _versions()
    if not bundle.exists() or not stamp.exists() or stamp.read_bytes() != version:
        # Wrapped in a function so the bundle's top-level names stay out of the page's scope.
        import vl_convert as vlc
        js = "(function(){\n" + vlc.javascript_bundle(vl_version=vega_lite_version()) + "\n})();\n"
        _write_atomic(bundle, js.encode())
        _write_atomic(stamp, version)


def _write_if_changed(path: Path, content: bytes) -> None:
    if not path.exists() or path.read_bytes() != content:
        _write_atomic(path, content)


def _build_safely(chart_id: str) -> tuple[str, Any, float]:
    """Build one chart in a worker: ("built", cache entry, s) or ("failed", message, s)."""
    t0 = time.perf_counter()
    try:
        return "built", build_one(chart_id), time.perf_counter() - t0
    except ChartError as e:
        return "failed", str(e), time.perf_counter() - t0


def _workers(n_jobs: int) -> int:
    """Two cores render twice as fast; a single chart is not worth a second process."""
    if n_jobs < 4 or os.environ.get("SITE_CHART_WORKERS") == "1":
        return 1
    return max(1, min(int(os.environ.get("SITE_CHART_WORKERS", 0)) or (os.cpu_count() or 1), 4, n_jobs))


def run(ids: list[str] | None = None, force: bool = False, log=print) -> list[Outcome]:
    known = discover()
    wanted = ids or known
    cache = _read_cache()
    outcomes: dict[str, Outcome] = {}
    todo: list[str] = []
    for chart_id in wanted:
        if chart_id not in known:
            outcomes[chart_id] = Outcome(chart_id, "failed", 0, [Problem(f"charts/{chart_id}.py", None, f"chart '{chart_id}'",
                                                                         "no such chart module", "unknown-chart")])
        elif not force and is_fresh(chart_id, cache):
            outcomes[chart_id] = Outcome(chart_id, "unchanged", 0.0)
        else:
            todo.append(chart_id)

    workers = _workers(len(todo))
    if workers > 1:
        # Separate processes (spawned, not forked: vl-convert runs threads of its own).
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            shared = pool.submit(write_shared)
            results = dict(zip(todo, pool.map(_build_safely, todo)))
            shared.result()
    else:
        write_shared()
        results = {cid: _build_safely(cid) for cid in todo}

    for chart_id, (status, value, seconds) in results.items():
        if status == "built":
            cache[chart_id] = value
            outcomes[chart_id] = Outcome(chart_id, "built", seconds)
        else:
            cache.pop(chart_id, None)
            outcomes[chart_id] = Outcome(chart_id, "failed", seconds,
                                         [Problem(f"charts/{chart_id}.py", None, f"chart '{chart_id}'", value, "chart")])
    _write_atomic(_cache_file(), json.dumps(cache, sort_keys=True, indent=1).encode())
    ordered = [outcomes[c] for c in wanted]
    for o in ordered:
        if o.status == "failed":
            for p in o.problems:
                log(f"  FAILED     {p}")
        else:
            log(f"  {o.status:<10} {o.chart_id} ({o.seconds:.2f} s)")
    counts = {s: sum(o.status == s for o in ordered) for s in ("built", "unchanged", "failed")}
    log(f"charts: {counts['built']} built, {counts['unchanged']} unchanged, {counts['failed']} failed")
    return ordered


def main(argv: list[str]) -> int:
    force = "--force" in argv
    ids = [a for a in argv if not a.startswith("-")]
    outcomes = run(ids or None, force=force)
    return 1 if any(o.status == "failed" for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
