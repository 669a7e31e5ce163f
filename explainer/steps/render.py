"""The chart runner: chart modules in, artifacts out, each chart rendered only when its inputs change.

For every chart `charts/<id>.py` it writes to `build/charts/`: the theme-neutral Vega-Lite
spec, static SVGs (light and dark, wide and narrow), a PNG for sharing, the chart's data as
CSV and a metadata file the pages embed from. Output is deterministic, and cached on a hash
of everything that can change it: the module and helper code, the datasets the chart read,
the registry, the theme and the library versions.
"""

from __future__ import annotations

import argparse
import contextvars
import functools
import importlib
import importlib.machinery
import importlib.metadata
import importlib.util
import inspect
import json
import os
import re
import sys
import time
import traceback
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from explainer.core import chart_contract, files, settings, theme
from explainer.core import data as D
from explainer.core.problems import Problem, did_you_mean
from explainer.core.project import Project, current_project
from explainer.core.project import use as use_project
from explainer.core.records import ChartMeta, Column, Size, Source, Table
from explainer.steps import cards

ARTIFACTS = (
    "vl.json",
    "light.svg",
    "dark.svg",
    "narrow.light.svg",
    "narrow.dark.svg",
    "png",
    "card.png",  # the share card of any page the chart leads (explainer.steps.cards)
    "csv",
    "meta.json",
)
# What the second pass renders under serve (after the page reloads), from the first pass's spec.
SECOND_PASS = ("narrow.light.svg", "narrow.dark.svg", "png", "card.png")
# Altair and vl-convert are imported only when a chart is actually rendered: checking that
# nothing changed must stay fast (they take over a second to import).


def vega_lite_version() -> str:
    """The Vega-Lite version Altair writes specs for, e.g. "6.4"."""
    import altair as alt

    return alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0]


E_NOTATION_RE = re.compile(r"\b\d+(?:\.\d+)?[eE][+-]?\d+\b")


class ChartError(Exception):
    """A chart could not be built; the message names the problem, `line` the line of the chart
    module it points to (when known)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


def _failure(what: str, e: BaseException, chart_id: str) -> ChartError:
    """A ChartError for an exception raised in a chart module: its message, then the last frames
    of the traceback (file and line), so the author can go straight to the cause."""
    if isinstance(e, SyntaxError):
        where = f"line {e.lineno}" + (f", column {e.offset}" if e.offset else "")
        return ChartError(f"{what}: SyntaxError: {e.msg} ({where}): {(e.text or '').strip()}", e.lineno)
    frames = traceback.extract_tb(e.__traceback__)
    module_file = str(current_project().charts / f"{chart_id}.py")
    line = next((f.lineno for f in reversed(frames) if f.filename == module_file), None)
    shown = "\n".join(
        f"  {current_project().rel(Path(f.filename))}:{f.lineno} in {f.name}: {(f.line or '').strip()}"
        for f in frames[-3:]
    )
    return ChartError(f"{what}: {type(e).__name__}: {_first_line(e)}\n{shown}", line)


@dataclass
class Outcome:
    chart_id: str
    status: str  # built | unchanged | failed
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)
    later: bool = False  # a build's chart whose PNG and share card are rendered beside the pages
    wide_later: bool = False  # a serve rebuild's chart whose wide images are rendered beside the pages


def discover() -> list[str]:
    """Chart ids: the chart modules' stems."""
    return sorted(p.stem for p in current_project().charts.glob("*.py") if not p.stem.startswith("_"))


def out_dir(project: Project | None = None) -> Path:
    return (project or current_project()).chart_files


def artifact(chart_id: str, kind: str, project: Project | None = None) -> Path:
    return out_dir(project) / f"{chart_id}.{kind}"


def charts_package() -> str:
    """The project's chart folder as a package, under a name of its own (never `charts`, which
    another project's folder or an installed package could answer): chart modules import their
    shared helpers relatively (`from ._common import ...`). Registered with importlib, no path
    edit; its helper modules are imported again when one of them changes."""
    cdir = current_project().charts.resolve()
    name = f"explainer_project_charts_{files.fingerprint([], str(cdir))[:12]}"
    stamp = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(cdir.glob("_*.py")))
    package = sys.modules.get(name)
    if package is None or getattr(package, "__explainer_stamp__", None) != stamp:
        for key in [k for k in sys.modules if k == name or k.startswith(name + ".")]:
            del sys.modules[key]
        spec = importlib.machinery.ModuleSpec(name, None, is_package=True)
        spec.submodule_search_locations = [str(cdir)]
        package = importlib.util.module_from_spec(spec)
        package.__explainer_stamp__ = stamp
        sys.modules[name] = package
    return name


def load_module(chart_id: str):
    """Import a chart module afresh, so edits show up in a long-running `make serve`. A name
    starting with `_` gives one of the project's chart helpers (`_common`)."""
    path = current_project().charts / f"{chart_id}.py"
    # No bytecode files beside the author's charts: under serve they would look like edits.
    sys.dont_write_bytecode = True
    package = charts_package()
    if chart_id.startswith("_"):
        return importlib.import_module(f"{package}.{chart_id}")
    spec = importlib.util.spec_from_file_location(f"{package}.{chart_id}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- caching --------------------------------------------------------------------------


def _code(chart_id: str) -> list[Path]:
    """The chart module, the project's chart helpers and the engine code a chart's output depends on."""
    cdir = current_project().charts
    engine = [Path(__file__), Path(theme.__file__), Path(D.__file__), Path(cards.__file__)]
    return [cdir / f"{chart_id}.py", *cdir.glob("_*.py"), *engine]


@functools.lru_cache(maxsize=1)
def _versions() -> bytes:
    """The versions chart output depends on (read once: under serve it was 3 package-metadata reads
    per chart per rebuild, half a second at 200 charts)."""
    v = importlib.metadata.version
    return f"altair={v('altair')};vl-convert={v('vl-convert-python')};pandas={v('pandas')}".encode()


def input_key(chart_id: str, reads: list[str], project: Project | None = None) -> str | None:
    """A fingerprint of everything a chart's artifacts depend on; None when an input is gone."""
    data = [Path(r) for r in reads]
    schemas = [p.with_name(p.stem + settings.SCHEMA_SUFFIX) for p in data]
    inputs = [*data, *schemas, D.folder(project) / settings.REGISTRY_FILE]
    if not all(p.is_file() for p in inputs):
        return None
    return files.fingerprint([*_code(chart_id), *inputs], _versions())


def _cache_file() -> Path:
    return out_dir() / ".cache.json"


def _read_cache() -> dict[str, Any]:
    try:
        return json.loads(_cache_file().read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def is_fresh(chart_id: str, cache: dict[str, Any], first: bool = False, project: Project | None = None) -> bool:
    """Built from exactly these inputs; with `first` (a serve rebuild), a first pass made from
    them counts too: its other images are being finished after the reload."""
    entry = cache.get(chart_id)
    if not entry:
        return False
    reads = [str(D.folder(project) / name) for name in entry["reads"]]
    key = input_key(chart_id, reads, project)
    done = entry["key"] == key or (first and entry.get("partial") == key)
    return done and all(artifact(chart_id, k).exists() for k in ARTIFACTS)


# --- checks on what a module returns ----------------------------------------------------


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
                stack.extend(reversed(sub))  # popped in order: the first layer's data is the table
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


def _checked_module(chart_id: str, registry: dict[str, Source]) -> tuple[Any, list[str]]:
    """The chart module and its declared sources, or a ChartError naming every way it breaks the
    chart contract (explainer/core/chart_contract.py)."""
    try:
        module = load_module(chart_id)
    except Exception as e:  # noqa: BLE001 - a broken module is reported, not raised
        what = "the module does not import"
        if isinstance(e, ModuleNotFoundError) and (e.name or "").split(".")[0] == "charts":
            # The chart folder is loaded as a package of its own name, never as `charts`.
            what += " (import the project's chart helpers relatively: `from ._common import ...`)"
        raise _failure(what, e, chart_id) from e
    breaches = chart_contract.breaches_in_module(module, set(registry))
    if breaches:
        raise ChartError("; ".join(b.message for b in breaches), breaches[0].line)
    return module, list(module.SOURCES)


def _sources_line(module, source_id: str) -> int | None:
    """The line of the chart module that names `source_id` in SOURCES (else SOURCES' own line)."""
    try:
        lines = Path(module.__file__).read_text(encoding="utf-8").splitlines()
    except (OSError, TypeError, AttributeError):
        return None
    start = next((i for i, t in enumerate(lines) if re.match(r"\s*SOURCES\b", t)), None)
    if start is None:
        return None
    for i in range(start, len(lines)):
        if re.search(rf"[\"']{re.escape(source_id)}[\"']", lines[i]):
            return i + 1
        if i > start and re.match(r"\S", lines[i]) and not lines[i].startswith(("]", ")")):
            break
    return start + 1


def _call(module, chart_id: str) -> tuple[Any, str, list[str]]:
    """What build() and key_numbers() return, and the dataset files they read."""
    from altair.utils.schemapi import SchemaValidationError

    D.start_recording()
    try:
        chart = module.build()
    except SchemaValidationError as e:  # Altair checks some properties as they are set
        raise ChartError(f"the spec fails the Vega-Lite schema: {_first_line(e)}") from e
    except Exception as e:  # noqa: BLE001
        raise _failure("build() failed", e, chart_id) from e
    try:
        key_numbers = module.key_numbers() if hasattr(module, "key_numbers") else ""
    except Exception as e:  # noqa: BLE001
        raise _failure("key_numbers() failed", e, chart_id) from e
    return chart, key_numbers, [str(p) for p in D.recorded()]


def _schema_fields(reads: list[str]) -> dict[str, dict[str, Any]]:
    """The fields of the datasets a chart read, by name (the first dataset naming one wins)."""
    import yaml

    fields: dict[str, dict[str, Any]] = {}
    for r in reads:
        path = Path(r).with_name(Path(r).stem + settings.SCHEMA_SUFFIX)
        if path.is_file():
            for f in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("fields", []):
                fields.setdefault(f["name"], f)
    return fields


def _tooltip_titles(spec: Any) -> dict[str, str]:
    """The titles the chart gives its columns in its tooltips: words it already shows readers."""
    titles: dict[str, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "tooltip":
                    for t in v if isinstance(v, list) else [v]:
                        if isinstance(t, dict) and isinstance(t.get("field"), str) and isinstance(t.get("title"), str):
                            titles.setdefault(t["field"], t["title"])
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(spec)
    return titles


def table_columns(module, chart_id: str, table: pd.DataFrame, reads: list[str], spec: Any) -> list[dict[str, Any]]:
    """The reader's columns of a chart's table: each headed by its schema title and unit (or the
    title the chart's tooltip gives a column it derives), the sources of a row in one column.
    Plotting columns (no schema field, no title) are never shown. A chart may name its table's
    columns in `TABLE`; one the reader could not read (in no schema the chart read, untitled)
    fails the chart."""
    fields = _schema_fields(reads)
    titles = _tooltip_titles(spec)
    declared = getattr(module, "TABLE", None)
    names = list(declared) if declared else [c for c in table.columns if c != "note"]
    out: list[dict[str, Any]] = []
    for c in names:
        if c not in table.columns:
            raise ChartError(f"TABLE names '{c}', which is not a column of the chart's data", _table_line(module))
        if D.is_source_column(c):
            if not any(col.get("kind") == "source" for col in out):
                out.append(
                    {"name": c, "header": "Source", "kind": "source", "of": [s for s in names if D.is_source_column(s)]}
                )
            continue
        field = fields.get(c)
        title = (field or {}).get("title") or titles.get(c)
        if titles.get(c) and any(re.fullmatch(rf"{re.escape(c)}_\d+", n) for n in names):
            title = titles[c]  # the chart tells a column from its pair ("Edition (China)", "Edition (World)")
        if not title:
            if declared:
                read = ", ".join(sorted(Path(r).stem for r in reads)) or "none"
                raise ChartError(
                    f"TABLE shows column '{c}', which is in no schema of the datasets the chart reads ({read}) "
                    "and has no title in the chart: readers would see a plotting column",
                    _table_line(module),
                )
            continue  # a plotting column
        unit = (field or {}).get("unit")
        header = _header(title, unit)
        kind = (
            "number" if pd.api.types.is_numeric_dtype(table[c]) and not pd.api.types.is_bool_dtype(table[c]) else "text"
        )
        if kind == "number" and (c == "year" or title.lower().startswith("year")):
            kind = "year"
        if (field or {}).get("type") == "date" or (
            kind == "text" and table[c].astype(str).str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
        ):
            kind = "date"
        col = {"name": c, "header": header, "kind": kind}
        precision = (field or {}).get("precision") or (c + "_precision" if c + "_precision" in table.columns else None)
        if kind == "date" and precision:
            col["precision"] = precision
        out.append(col)
    return _one_column_a_header(out, table, titles)


def _header(title: str, unit: str | None) -> str:
    """A column's header: its title and unit, never parentheses inside parentheses ("Investment,
    US$ billion (nominal)", not "Investment (US$ billion (nominal))")."""
    if not unit or unit.lower() in title.lower():
        return title
    return f"{title}, {unit}" if "(" in unit or "(" in title else f"{title} ({unit})"


def _one_column_a_header(
    out: list[dict[str, Any]], table: pd.DataFrame, titles: dict[str, str]
) -> list[dict[str, Any]]:
    """Two columns under one header that say the same thing (each value of one goes with one value
    of the other: a code and its label) are shown once, as the chart's own tooltip names it."""
    keep = list(out)
    for i, a in enumerate(out):
        for b in out[i + 1 :]:
            if a in keep and b in keep and a["header"] == b["header"] and a.get("kind") != "source":
                pairs = table[[a["name"], b["name"]]].astype(str).drop_duplicates()
                if pairs[a["name"]].is_unique and pairs[b["name"]].is_unique:
                    drop = a if b["name"] in titles and a["name"] not in titles else b
                    keep.remove(drop)
    return keep


def _table_line(module) -> int | None:
    try:
        lines, start = inspect.getsourcelines(module)
    except (OSError, TypeError):
        return None
    return next((i + 1 for i, line in enumerate(lines) if line.startswith("TABLE")), None)


def _table_rows(table: pd.DataFrame, columns: list[dict[str, Any]]) -> list[list[Any]]:
    """The table's rows as plain values, a row's sources as a list and a date's precision with it."""
    rows = []
    for r in json.loads(table.to_json(orient="records", force_ascii=False)):
        row = []
        for col in columns:
            if col["kind"] == "source":
                row.append(list(dict.fromkeys(r[s] for s in col["of"] if r.get(s))))
            elif col["kind"] == "date" and col.get("precision") in table.columns:
                row.append([r[col["name"]], r[col["precision"]]])
            else:
                row.append(r[col["name"]])
        rows.append(row)
    return rows


def _row_sources(frames: list[pd.DataFrame], registry: dict[str, Source]) -> list[str]:
    """Registry ids the rows cite: every column named `source` or `source_<n>` (ratios cite two rows)."""
    cited = {s for f in frames for c in f.columns if D.is_source_column(c) for s in f[c].dropna().astype(str)}
    bad = sorted(cited - set(registry))
    if bad:
        raise ChartError("the data cite unknown registry ids: " + ", ".join(b + did_you_mean(b, registry) for b in bad))
    return sorted(cited)


def _spec(chart, frames: list[pd.DataFrame], title: str, subtitle: str, description: str) -> dict[str, Any]:
    import altair as alt

    heading = alt.Title(title, subtitle=subtitle) if subtitle else alt.Title(title)
    chart = chart.properties(title=heading, description=description)
    try:
        spec = chart.to_dict(validate=True)
    except Exception as e:  # noqa: BLE001 - altair raises SchemaValidationError and friends
        raise ChartError(f"the spec fails the Vega-Lite schema: {_first_line(e)}") from e
    columns = set().union(*(set(f.columns) for f in frames))
    missing = sorted(_encoded_fields(spec) - columns - _derived_fields(spec))
    if missing:
        raise ChartError(
            "the chart encodes column(s) its data lack: " + ", ".join(m + did_you_mean(m, columns) for m in missing)
        )
    theme.rewrap_title(spec, theme.WIDE["width"])  # the live view's title, wrapped for the wide size
    return spec


def _renders(
    spec: dict[str, Any], first: bool = False, rest: bool = False, svgs_only: bool = False, pngs_only: bool = False
) -> tuple[dict[str, bytes], dict[str, tuple[int, int]]]:
    """The static images: SVG in light and dark, wide and narrow, a PNG to download and a share
    card. `first`: only what a desktop page shows at once (the wide SVGs); `rest`: the others,
    the second pass; `svgs_only`: what any page shows (a build's first pass), `pngs_only` the rest."""
    import vl_convert as vlc

    vl_version = vega_lite_version()
    out: dict[str, bytes] = {}
    dims = {}
    variants = (("", theme.WIDE), ("narrow.", theme.NARROW))
    for variant, size in variants[:1] if first else variants[1:] if rest else () if pngs_only else variants:
        t0 = time.perf_counter()
        for scheme in ("light", "dark"):
            try:
                svg = vlc.vegalite_to_svg(theme.with_config(spec, scheme, size), vl_version=vl_version)
            except Exception as e:  # noqa: BLE001
                raise ChartError(f"rendering failed ({variant}{scheme}): {e}") from e
            out[f"{variant}{scheme}.svg"] = svg.encode()
            dims[f"{variant}{scheme}"] = _svg_size(svg)
        _step_times()[f"{variant or 'wide.'}svg"] = time.perf_counter() - t0
    if first or svgs_only:
        return out, dims
    t0 = time.perf_counter()
    out["png"] = vlc.vegalite_to_png(
        theme.with_config(spec, "light", theme.WIDE, background="#ffffff"), vl_version=vl_version, scale=2
    )
    _step_times()["png"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    out["card.png"] = vlc.vegalite_to_png(cards.chart_spec(spec), vl_version=vl_version, scale=1)
    _step_times()["card"] = time.perf_counter() - t0
    return out, dims


# Where one chart's time went (in the process and thread that built it): reported summed over a run.
_STEP_TIMES: contextvars.ContextVar[dict[str, float] | None] = contextvars.ContextVar("chart_steps", default=None)


def _step_times() -> dict[str, float]:
    """This thread's record of where the chart being built spends its time."""
    times = _STEP_TIMES.get()
    if times is None:
        times = {}
        _STEP_TIMES.set(times)
    return times


STEP_NAMES = {
    "module": "module and spec",
    "wide.svg": "wide SVGs",
    "narrow.svg": "narrow SVGs",
    "png": "PNG",
    "card": "share card",
}


def build_one(chart_id: str, first: bool = False, later: bool = False) -> dict[str, Any]:
    """Build one chart's artifacts; returns its cache entry. Raises ChartError.

    `first` (under serve): only what the page shows first, keeping the other images of the last
    build (on a first serve with none, the narrow image's size is estimated until the second pass
    corrects it in the served pages); the entry then carries no key, so the next full run
    completes the chart. `later` (a
    build): everything but the PNG and the share card, which `finish_one(pngs_only=True)` renders
    while the pages are; the entry then carries no key until it has."""
    started = time.perf_counter()
    previous = artifact(chart_id, "meta.json")
    registry = D.sources_by_id()
    module, declared = _checked_module(chart_id, registry)
    title, takeaway = chart_contract.doc_lines(inspect.getdoc(module))
    chart, key_numbers, reads = _call(module, chart_id)
    frames = _frames(chart)
    if not frames:
        raise ChartError("the chart has no data frame")
    table = frames[0]
    row_sources = _row_sources(frames, registry)
    description = " ".join(x for x in (f"{title}.", takeaway, key_numbers) if x).strip()
    computerese = E_NOTATION_RE.search(description)
    if computerese:  # the alt text and the key numbers are read by people, not parsed
        raise ChartError(
            f"the description writes {computerese.group(0)!r}: write a power of ten as readers read it, "
            "3.8 × 10²⁵ (charts/_common.py fmt_power)"
        )
    credit = getattr(module, "CREDIT", None) or _credit(declared + row_sources, registry)
    unread = [s for s in declared if s not in row_sources]
    if unread:  # a source line names only pages the plotted values were read in
        raise ChartError(
            f"SOURCES names {', '.join(unread)}, the source of no row the chart plots: name only the sources "
            f"of its rows ({', '.join(row_sources) or 'none'})",
            _sources_line(module, unread[0]),
        )
    too_many = chart_contract.links_breach(declared, row_sources)
    if too_many:
        raise ChartError(too_many, _sources_line(module, declared[0]))
    # The house style: the takeaway is the headline, the subtitle defines the measure and its unit
    # (SUBTITLE), and the source is given once, under the figure, by the page.
    subtitle = str(getattr(module, "SUBTITLE", "") or "").strip()
    spec = _spec(chart, frames, takeaway, subtitle, description)
    undrawn = _undrawn_breaks(spec, reads, table)
    if undrawn:
        raise ChartError(undrawn)
    _STEP_TIMES.set({})
    _step_times()["module"] = time.perf_counter() - started
    before = read_meta(chart_id) if first and previous.exists() else None
    if before is not None:
        # A serve rebuild: the pages need the chart's table and words now, its wide images only
        # once they are written (`start_wide`, beside the pages); its sizes are the last render's
        # until then.
        out, dims = {}, {"light": before.size.wide, "narrow.light": before.size.narrow}
    else:
        out, dims = _renders(spec, first, svgs_only=later)
        if first:
            dims["narrow.light"] = _narrow_estimate(dims["light"])
    out["vl.json"] = json.dumps(spec, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    out["csv"] = _with_source_urls(table, registry).to_csv(index=False, lineterminator="\n").encode()
    columns = table_columns(module, chart_id, table, reads, spec)
    meta = ChartMeta(
        id=chart_id,
        title=title,
        takeaway=takeaway,
        subtitle=subtitle,
        credit=credit,
        description=description,
        sources=declared + [s for s in row_sources if s not in declared],
        declared_sources=declared,
        datasets=sorted(Path(r).stem for r in reads),
        size=Size(tuple(dims["light"]), tuple(dims["narrow.light"])),
        table=Table([Column.from_dict(c) for c in columns], _table_rows(table, columns)),
    )
    out["meta.json"] = _meta_json(meta)
    for kind, content in out.items():
        files.write_atomic(artifact(chart_id, kind), content)
    key = input_key(chart_id, reads)
    part = first or later
    entry = {"key": None if part else key, "partial": key if part else None, "reads": [Path(r).name for r in reads]}
    return {**entry, "wide_later": True} if before is not None else entry


def _narrow_estimate(wide: tuple[int, int]) -> tuple[int, int]:
    """The narrow image's size before it is rendered, from the wide one's (scaled as the two sizes
    are): what a first serve writes until the second pass corrects it in place."""
    w, h = wide
    return round(w * theme.NARROW["width"] / theme.WIDE["width"]), round(
        h * theme.NARROW["height"] / theme.WIDE["height"]
    )


def read_meta(chart_id: str) -> ChartMeta:
    """A chart's metadata as the last render wrote it."""
    return ChartMeta.from_dict(json.loads(artifact(chart_id, "meta.json").read_text(encoding="utf-8")))


def _meta_json(meta: ChartMeta) -> bytes:
    return json.dumps(meta.to_dict(), sort_keys=True, ensure_ascii=False, indent=1).encode()


def _strings(node: Any, skip: set[str]) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [t for v in node for t in _strings(v, skip)]
    if isinstance(node, dict):
        return [t for k, v in node.items() if k not in skip for t in _strings(v, skip)]
    return []


def _undrawn_breaks(spec: dict[str, Any], reads: list[str], table: pd.DataFrame) -> str:
    """A dataset's declared edition breaks that the chart shows data across but does not label
    (the label's words must appear in the figure, outside the rows of the data; case and line
    breaks aside)."""
    from explainer.steps.validate import edition_breaks

    rows = {k for k, v in (spec.get("datasets") or {}).items() if any(settings.EDITION_FIELD in r for r in v)}
    own = {k: v for k, v in (spec.get("datasets") or {}).items() if k not in rows}
    shown = " ".join(" ".join(_strings(spec, {"datasets"}) + _strings(own, set())).split()).lower()
    missing = []
    for path in reads:
        name = Path(path).name[: -len(".csv")] if path.endswith(".csv") else Path(path).stem
        try:
            breaks = edition_breaks(D.schema(name))
        except (OSError, ValueError):
            continue
        key = D.schema(name).get("primaryKey") or []
        time = next((k for k in ([key] if isinstance(key, str) else key) if k in settings.TIME_COLUMNS), None)
        for b in breaks:
            label = " ".join(str(b.get("label", "")).split())
            if not label or label.lower() in shown:
                continue
            if time in table.columns:
                t = table[time].dropna().astype(str)
                at = str(b.get("at"))
                crossed = t.nunique() > 1 if at == "every" else (t.min() < at <= t.max())
                if not crossed:
                    continue
            missing.append(f"{name}: '{label}' (at {b.get('at')})")
    if not missing:
        return ""
    return (
        "the data cross a declared edition break the chart does not label; draw the break and its label "
        "(charts/_common.py: series_break, or an annotation with the label's words): " + "; ".join(missing)
    )


def _from_first_pass(chart_id: str, **renders: bool) -> tuple[dict[str, Any], dict, dict] | None:
    """Render images of a chart whose first pass (`build_one(first=True)` or `later=True`) is the
    latest, from the spec it wrote (no module run): `renders` as `_renders` takes them. Returns
    (its cache entry, the files rendered, their sizes), or None when its inputs changed since, before
    or while this ran (the run that change set off renders it), or there is nothing to render from."""
    entry = _read_cache().get(chart_id)
    if not entry or not entry.get("partial"):
        return None
    reads = [str(current_project().data / name) for name in entry["reads"]]
    spec_file, meta_file = artifact(chart_id, "vl.json"), artifact(chart_id, "meta.json")
    if input_key(chart_id, reads) != entry["partial"] or not spec_file.exists() or not meta_file.exists():
        return None
    out, dims = _renders(json.loads(spec_file.read_text(encoding="utf-8")), **renders)
    if input_key(chart_id, reads) != entry["partial"]:  # saved again while this ran: not current
        return None
    return entry, out, dims


def _write_with_size(chart_id: str, out: dict[str, bytes], which: str, size: tuple[int, int]) -> None:
    """Write a chart's images, its metadata taking their size (`which`: "wide" or "narrow")."""
    meta = read_meta(chart_id)
    if tuple(getattr(meta.size, which)) != tuple(size):
        out["meta.json"] = _meta_json(replace(meta, size=replace(meta.size, **{which: tuple(size)})))
    for kind, content in out.items():
        files.write_atomic(artifact(chart_id, kind), content)


def finish_one(chart_id: str, pngs_only: bool = False) -> dict[str, Any] | None:
    """The second pass of a chart whose first pass (`build_one(first=True)`) is the latest: the
    narrow SVGs, the PNG and the share card, rendered from the spec it wrote (no module run).
    Returns its completed cache entry, or None when its inputs changed since (the next run then
    renders it afresh) or there is nothing to finish. `pngs_only`: after `build_one(later=True)`."""
    done = _from_first_pass(chart_id, rest=not pngs_only, pngs_only=pngs_only)
    if done is None:
        return None
    entry, out, dims = done
    if pngs_only:
        for kind, content in out.items():
            files.write_atomic(artifact(chart_id, kind), content)
    else:
        _write_with_size(chart_id, out, "narrow", dims["narrow.light"])
    return {**entry, "key": entry["partial"], "partial": None}


def finish_wide(chart_id: str) -> tuple[int, int] | None:
    """A serve rebuild's wide images of a chart whose first pass (`build_one(first=True)`, with an
    earlier render) wrote its spec and table only: rendered from that spec, the meta's wide size
    updated. Returns the size, or None when the chart's inputs changed since (the rebuild that
    change set off renders it)."""
    done = _from_first_pass(chart_id, first=True)
    if done is None:
        return None
    _, out, dims = done
    _write_with_size(chart_id, out, "wide", dims["light"])
    return tuple(dims["light"])


def _wide_safely(chart_id: str) -> tuple[str, Any]:
    try:
        return "finished", finish_wide(chart_id)
    except Exception as e:  # noqa: BLE001 - the page keeps the last images; the next save renders again
        return "failed", f"{type(e).__name__}: {_first_line(e)}"


def start_wide(ids: list[str], pool: Pool, project: Project | None = None) -> dict:
    """The wide images of `ids` submitted to the pool's workers: wait with `collect_wide`."""
    executor = pool.get(project)
    return {cid: executor.submit(_wide_safely, cid) for cid in ids}


def collect_wide(futures: dict, log=print) -> dict[str, tuple[int, int]]:
    """Wait for the wide images; returns each finished chart's wide size."""
    return _collect(futures, lambda cid, why: log(f"  {cid}: its images failed ({why}); the page shows the last ones"))


def _collect(futures: dict, failed) -> dict[str, Any]:
    """Wait for work submitted to the chart workers: each chart's result, `failed(chart, why)` told
    of the ones that failed (a None result, nothing to do, is left out)."""
    done = {}
    for cid, future in futures.items():
        status, value = future.result()
        if status == "failed":
            failed(cid, value)
        elif value is not None:
            done[cid] = value
    return done


def _finish_safely(chart_id: str, pngs_only: bool = False) -> tuple[str, Any]:
    try:
        return "finished", finish_one(chart_id, pngs_only)
    except Exception as e:  # noqa: BLE001 - the next full run renders the chart again and says why
        return "failed", f"{type(e).__name__}: {_first_line(e)}"


def finish(ids: list[str], pool: Pool, project: Project | None = None, log=print) -> list[str]:
    """Under serve, after the reload: the second pass of charts just rendered in part, in the warm
    workers (which read `project`). Returns the charts finished (their files in the build folder
    now complete)."""
    return collect_finished(start_finishing(ids, pool, project=project), log)


def start_finishing(ids: list[str], pool: Pool, pngs_only: bool = False, project: Project | None = None) -> dict:
    """The second pass of `ids` submitted to the pool's workers (which read `project`): wait with
    `collect_finished`."""
    executor = pool.get(project)
    return {cid: executor.submit(_finish_safely, cid, pngs_only) for cid in ids}


def collect_finished(futures: dict, log=print) -> list[str]:
    """Wait for a second pass; returns the charts finished (their cache entries completed)."""
    done = _collect(
        futures, lambda cid, why: log(f"  {cid}: its other images failed ({why}); the next rebuild renders it again")
    )
    if done:
        latest = _read_cache()
        for cid, entry in done.items():
            if latest.get(cid, {}).get("partial") == entry["key"]:  # no newer pass since
                latest[cid] = entry
        files.write_atomic(_cache_file(), json.dumps(latest, sort_keys=True, indent=1).encode())
    return list(done)


def _with_source_urls(table: pd.DataFrame, registry: dict[str, Source]) -> pd.DataFrame:
    """The download: each source column followed by the URL of the page the value was read in."""
    out = table.copy()
    for c in [c for c in table.columns if D.is_source_column(c)]:
        urls = table[c].map(lambda s: registry[s].url_main if s in registry else "")
        out.insert(out.columns.get_loc(c) + 1, f"{c}_url", urls)
    return out


def _first_line(e: Exception) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def _credit(ids: list[str], registry: dict[str, Source]) -> str:
    """The producers behind a chart, when its module gives no CREDIT line."""
    names = list(dict.fromkeys(registry[i].producer for i in ids))
    most = settings.MAX_SOURCE_LINKS
    return "; ".join(names[:most]) + ("; and others" if len(names) > most else "")


# --- the run ------------------------------------------------------------------------------


def write_shared() -> None:
    """Files every chart page needs: the browser theme and the self-hosted Vega bundle."""
    files.write_if_changed(
        out_dir() / "theme.json",
        json.dumps(theme.browser_themes(), sort_keys=True, separators=(",", ":")).encode(),
    )
    bundle = current_project().out / "vendor" / "vega-bundle.js"
    stamp = current_project().out / "vendor" / "vega-bundle.version"
    version = _versions()
    if not bundle.exists() or not stamp.exists() or stamp.read_bytes() != version:
        # Wrapped in a function so the bundle's top-level names stay out of the page's scope.
        import vl_convert as vlc

        js = "(function(){\n" + vlc.javascript_bundle(vl_version=vega_lite_version()) + "\n})();\n"
        files.write_atomic(bundle, js.encode())
        files.write_atomic(stamp, version)


def _build_safely(chart_id: str, first: bool = False, later: bool = False) -> tuple[str, Any, float]:
    """Build one chart in a worker: ("built", cache entry, s) or ("failed", (message, line), s).
    The worker reads its process's project (set once, when the worker started)."""
    t0 = time.perf_counter()
    try:
        entry = build_one(chart_id, first, later)
        return "built", {**entry, "steps": dict(_step_times())}, time.perf_counter() - t0
    except ChartError as e:
        return "failed", (str(e), e.line), time.perf_counter() - t0
    except Exception as e:  # noqa: BLE001 - whatever breaks, the run goes on and says where
        return "failed", (str(_failure("the chart failed", e, chart_id)), None), time.perf_counter() - t0


def warm_up() -> None:
    """Start the chart engine in a worker (its first render costs far more than the next)."""
    import vl_convert as vlc

    vlc.vegalite_to_svg({"mark": "point", "data": {"values": [{}]}}, vl_version=vega_lite_version())


def new_executor(workers: int, project: Project):
    """Chart workers: separate processes (spawned, not forked: vl-convert runs threads of its own),
    each reading `project` from its start (`project.use` as its initializer) and never another."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=use_project,
        initargs=(project,),
    )


class Pool:
    """Chart workers kept alive between rebuilds (under serve): a saved edit re-renders its charts
    in processes that have already started Python, Altair and the Vega engine. Recreated when the
    shared chart helpers change, since a worker keeps the modules it has imported."""

    def __init__(self, workers: int | None = None):
        self.workers = workers or max(1, min(os.cpu_count() or 1, 4))
        self.key = None
        self.executor = None

    def get(self, project: Project | None = None):
        """The workers, started on `project` (else the process's): each worker reads that project
        from its start (`project.use` as its initializer) and never another."""
        project = project or current_project()
        key = (project, files.fingerprint(sorted(project.charts.glob("_*.py"))))
        if self.executor is None or key != self.key:
            self.close()
            self.executor = new_executor(self.workers, project)
            self.key = key
            for _ in range(self.workers):
                self.executor.submit(warm_up)
        return self.executor

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = None


def _workers(n_jobs: int) -> int:
    """Two cores render twice as fast; a single chart is not worth a second process."""
    if n_jobs < 4 or os.environ.get("EXPLAINER_CHART_WORKERS") == "1":
        return 1
    return max(1, min(int(os.environ.get("EXPLAINER_CHART_WORKERS", 0)) or (os.cpu_count() or 1), 4, n_jobs))


def run(
    ids: list[str] | None = None,
    force: bool = False,
    log=print,
    error=None,
    pool: Pool | None = None,
    first: bool = False,
    project: Project | None = None,
    later: bool = False,
) -> list[Outcome]:
    """Build the charts whose inputs changed (or `ids`) of `project` (else the process's). `later`
    (a build given a pool): when the charts are rendered in several workers, leave each one's PNG
    and share card to `start_finishing(pngs_only)`, in the same pool, while the pages are rendered
    (its outcome says `later`)."""
    project = project or current_project()
    known = discover()
    wanted = ids or known
    cache = _read_cache()
    outcomes: dict[str, Outcome] = {}
    todo: list[str] = []
    for chart_id in wanted:
        if chart_id not in known:
            outcomes[chart_id] = Outcome(
                chart_id,
                "failed",
                0,
                [
                    Problem(
                        f"charts/{chart_id}.py", None, f"chart '{chart_id}'", "no such chart module", "unknown-chart"
                    )
                ],
            )
        elif not force and is_fresh(chart_id, cache, first, project):
            outcomes[chart_id] = Outcome(chart_id, "unchanged", 0.0)
        else:
            todo.append(chart_id)

    later = later and pool is not None and not first and _workers(len(todo)) > 1
    if not later and not first:
        pool = None  # a build: its own workers for this run (or none for a few charts)
    results = _execute(todo, project, first, pool, later)
    steps: dict[str, float] = {}
    for chart_id, (status, value, seconds) in results.items():
        if status == "built":
            for step, t in value.pop("steps", {}).items():
                steps[step] = steps.get(step, 0.0) + t
            wide_later = bool(value.pop("wide_later", False))
            cache[chart_id] = value
            outcomes[chart_id] = Outcome(chart_id, "built", seconds, later=later, wide_later=wide_later)
        else:
            cache.pop(chart_id, None)
            message, line = value
            outcomes[chart_id] = Outcome(
                chart_id,
                "failed",
                seconds,
                [Problem(f"charts/{chart_id}.py", line, f"chart '{chart_id}'", message, "chart")],
            )
    # Merged into the cache as it is now: a run finishing charts in the background may have
    # written it since this run read it.
    latest = _read_cache()
    for chart_id in todo:
        if chart_id in cache:
            latest[chart_id] = cache[chart_id]
        else:
            latest.pop(chart_id, None)
    files.write_atomic(_cache_file(), json.dumps(latest, sort_keys=True, indent=1).encode())
    ordered = [outcomes[c] for c in wanted]
    quiet = settings.quiet()
    for o in ordered:
        if o.status == "failed":
            for p in o.problems:
                (error or log)(f"  FAILED     {p}")
        elif not quiet:
            log(f"  {o.status:<10} {o.chart_id} ({o.seconds:.2f} s)")
    counts = {s: sum(o.status == s for o in ordered) for s in ("built", "unchanged", "failed")}
    built = [o for o in ordered if o.status == "built"]
    slowest = max(built, key=lambda o: o.seconds) if built else None
    log(
        f"charts: {counts['built']} built"
        + (f" (slowest: {slowest.chart_id}, {slowest.seconds:.2f} s)" if slowest and len(built) > 1 else "")
        + f", {counts['unchanged']} unchanged, {counts['failed']} failed"
    )
    if steps and len(built) > 1:
        # Where a cold build's chart time goes, summed over the workers (so more than the wall time).
        log(
            "charts: time by step, all workers together: "
            + ", ".join(f"{STEP_NAMES.get(k, k)} {v:.2f} s" for k, v in sorted(steps.items(), key=lambda kv: -kv[1]))
        )
    return ordered


def _execute(
    todo: list[str], project: Project, first: bool, pool: Pool | None, later: bool = False
) -> dict[str, tuple]:
    """Build the charts in `todo`: in the warm pool (serve), in worker processes (several charts),
    or here (when `project` is this process's: chart modules read it). A progress bar counts them
    in a terminal (never in CI or in quiet mode)."""
    from concurrent.futures import as_completed

    if not todo:
        return {}
    workers = _workers(len(todo))
    if pool is None and workers == 1 and project == current_project():
        write_shared()
        return {cid: _build_safely(cid, first) for cid in todo}
    own = None
    if pool is not None:
        executor = pool.get(project)
    else:
        executor = own = new_executor(workers, project)
    try:
        shared = executor.submit(write_shared)
        futures = {executor.submit(_build_safely, cid, first, later): cid for cid in todo}
        results = {}
        with _progress(len(todo)) as advance:
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                advance(futures[future])
        shared.result()
        return {cid: results[cid] for cid in todo}
    finally:
        if own is not None:
            own.shutdown()


class _progress:
    """A progress bar for the charts (rich's), shown only in a terminal and never in quiet mode."""

    def __init__(self, total: int):
        self.total = total
        self.bar = None

    def __enter__(self):
        if self.total > 1 and sys.stderr.isatty() and not settings.quiet():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(
                TextColumn("charts"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.description}"),
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("", total=self.total)
        return self.advance

    def advance(self, chart_id: str) -> None:
        if self.bar is not None:
            self.bar.update(self.task, advance=1, description=chart_id)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m explainer charts", description=__doc__.splitlines()[0])
    ap.add_argument("ids", nargs="*", help="chart ids (default: every chart)")
    ap.add_argument("--force", action="store_true", help="rebuild even when nothing changed")
    args = ap.parse_args(argv)
    outcomes = run(args.ids or None, force=args.force)
    return 1 if any(o.status == "failed" for o in outcomes) else 0
