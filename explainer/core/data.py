"""The one loader: every chart, page hook and the Methods notebook read data through it.

The registry and the claims ledger come back as typed records (`records.Source`, `records.Claim`).
Every function reads the data folder of the project it is given (`project=`), else the
process's project (`current_project()`: what chart modules and the notebook read).

Datasets are `data/<name>.csv`, each described by `data/<name>.schema.yaml` (a
Frictionless Table Schema). Columns come back typed after the schema, and each file
is parsed once per change (cached on its path, size and modification time).
"""

from __future__ import annotations

import contextvars
import functools
import re
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from explainer.core import files, settings
from explainer.core.problems import did_you_mean
from explainer.core.project import Project, current_project
from explainer.core.records import Claim, Source
from explainer.core.yamlines import SAFE_LOADER

_PANDAS_TYPES = {
    "integer": "Int64",
    "number": "Float64",
    "string": "string",
    "year": "Int64",
    "boolean": "boolean",
}


# Charts record what they read, so the runner can cache them on exactly their inputs. A context
# variable: each thread (and each chart worker) records its own reads, never another's.
_reads: contextvars.ContextVar[list[Path] | None] = contextvars.ContextVar("explainer_data_reads", default=None)


def folder(project: Project | None = None) -> Path:
    """The data folder read: the given project's, else the process's."""
    return (project or current_project()).data


def dataset_path(name: str, project: Project | None = None) -> Path:
    return folder(project) / f"{name}.csv"


def schema_path(name: str, project: Project | None = None) -> Path:
    return folder(project) / f"{name}{settings.SCHEMA_SUFFIX}"


def dataset_names(project: Project | None = None) -> list[str]:
    """Every dataset: a CSV beside its schema."""
    where = folder(project)
    return list(files.frozen_memo(("datasets", str(where)), lambda: _dataset_names(where)))


def _dataset_names(where: Path) -> tuple[str, ...]:
    return tuple(sorted(p.name[: -len(settings.SCHEMA_SUFFIX)] for p in where.glob(f"*{settings.SCHEMA_SUFFIX}")))


def schema(name: str, project: Project | None = None) -> dict[str, Any]:
    return _read_yaml(*files.stat_key(schema_path(name, project)))


@functools.lru_cache(maxsize=64)
def _read_yaml(path: str, _size: int, _mtime: int) -> Any:
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=SAFE_LOADER)


@functools.lru_cache(maxsize=64)
def _read_csv(path: str, _size: int, _mtime: int, dtypes: tuple[tuple[str, str], ...]) -> pd.DataFrame:
    return pd.read_csv(path, dtype=dict(dtypes), keep_default_na=False, na_values=[""], encoding="utf-8")


def _cached(name: str, project: Project | None = None) -> tuple[tuple, pd.DataFrame]:
    """(the key it was read under, the shared parsed frame): never hand the frame out unchanged."""
    path = dataset_path(name, project)
    try:
        fields = schema(name, project)["fields"]
    except FileNotFoundError:
        raise KeyError(f"unknown dataset '{name}'{did_you_mean(name, dataset_names(project))}") from None
    dtypes = tuple((f["name"], _PANDAS_TYPES.get(f.get("type", "string"), "string")) for f in fields)
    reads = _reads.get()
    if reads is not None:
        reads.append(path)
    key = (*files.stat_key(path), dtypes)
    return key, _read_csv(*key)


def load(name: str, project: Project | None = None) -> pd.DataFrame:
    """A dataset as a typed DataFrame (a copy: callers may change it freely)."""
    return _cached(name, project)[1].copy()


def rows(name: str, project: Project | None = None) -> tuple[dict[str, Any], ...]:
    """A dataset's rows as dicts, kept per file version: shared, never to be changed by a caller."""
    return _rows(_cached(name, project)[0])


@functools.lru_cache(maxsize=64)
def _rows(key: tuple) -> tuple[dict[str, Any], ...]:
    return tuple(_read_csv(*key).to_dict("records"))


def registry(project: Project | None = None) -> list[Source]:
    """The source registry, in file order."""
    return list(_sources(*files.stat_key(folder(project) / settings.REGISTRY_FILE)))


@functools.lru_cache(maxsize=16)
def _sources(path: str, size: int, mtime: int) -> tuple[Source, ...]:
    return tuple(Source.from_dict(e) for e in _read_yaml(path, size, mtime) or [])


def sources_by_id(project: Project | None = None) -> dict[str, Source]:
    return {s.id: s for s in registry(project)}


def claims(project: Project | None = None) -> list[Claim]:
    """The claims ledger, in the essay's order."""
    return list(_claims(*files.stat_key(folder(project) / settings.CLAIMS_FILE)))


@functools.lru_cache(maxsize=16)
def _claims(path: str, size: int, mtime: int) -> tuple[Claim, ...]:
    return tuple(Claim.from_dict(c) for c in _read_yaml(path, size, mtime) or [])


def select(name: str, where: dict[str, Any], project: Project | None = None) -> pd.DataFrame:
    """Rows of a dataset whose columns equal every value in `where` (compared as text)."""
    key, df = _cached(name, project)
    return _select(key, tuple((str(c), str(v)) for c, v in where.items()), name).copy()


@functools.lru_cache(maxsize=1024)
def _select(key: tuple, where: tuple[tuple[str, str], ...], name: str) -> pd.DataFrame:
    """The rows a selector picks, kept per file version (pages, cards and the package ask often)."""
    df = _read_csv(*key)
    for col, _ in where:
        if col not in df.columns:
            raise KeyError(f"dataset '{name}' has no column '{col}'{did_you_mean(col, df.columns)}")
    rows = _row_index(key, tuple(c for c, _ in where)).get(tuple(v for _, v in where), [])
    return df.iloc[rows]


@functools.lru_cache(maxsize=256)
def _row_index(key: tuple, cols: tuple[str, ...]) -> dict[tuple, list[int]]:
    """The rows of a file version by their values (as text) in `cols`: a selector is one look-up
    (the history of the data evaluates every claim at each of 30 commits). An empty cell matches
    no value."""
    texts = [_text_column(key, c).tolist() for c in cols]
    index: dict[tuple, list[int]] = {}
    for i, values in enumerate(zip(*texts)) if cols else enumerate([()] * len(_read_csv(*key))):
        if not any(v is pd.NA for v in values):
            index.setdefault(values, []).append(i)
    return index


@functools.lru_cache(maxsize=256)
def _text_column(key: tuple, col: str) -> pd.Series:
    """A column as text, kept per file version (a page's markers select from the same data often)."""
    return _read_csv(*key)[col].astype("string")


def value(name: str, where: dict[str, Any], column: str, project: Project | None = None) -> float:
    """The one value a selector picks out; an error unless exactly one row matches."""
    key, df = _cached(name, project)
    wanted = tuple((str(c), str(v)) for c, v in where.items())
    for col, _ in wanted:
        if col not in df.columns:
            raise KeyError(f"dataset '{name}' has no column '{col}'{did_you_mean(col, df.columns)}")
    if column not in df.columns:
        raise KeyError(f"dataset '{name}' has no column '{column}'{did_you_mean(column, df.columns)}")
    rows = _row_index(key, tuple(c for c, _ in wanted)).get(tuple(v for _, v in wanted), [])
    if len(rows) != 1:
        raise LookupError(f"{name} {where}: {len(rows)} rows match, expected exactly 1")
    v = df[column].iloc[rows[0]]  # read, never changed: the shared frame
    if pd.isna(v):
        raise LookupError(f"{name} {where}: column '{column}' is empty")
    return float(v)


def is_source_column(column: str) -> bool:
    """Whether a column of a dataset or a chart's table names the registry entry a value was read
    in: `source`, or `source_<n>` where a row combines several (a ratio cites two rows)."""
    return column == "source" or re.fullmatch(r"source_\d+", column) is not None


def start_recording() -> None:
    """Record the datasets read from now on, in this thread (a chart's build)."""
    _reads.set([])


def recorded() -> list[Path]:
    return sorted(set(_reads.get() or []))


def producers(project: Project | None = None) -> dict[str, dict[str, Any]]:
    """Each producer's (or publisher's) own sites and short name, by name, from producers.yaml
    ({} when the file is absent)."""
    path = folder(project) / settings.PRODUCERS_FILE
    if not path.exists():
        return {}
    items = _read_yaml(*files.stat_key(path)) or []
    return {p["name"]: p for p in items if isinstance(p, dict) and isinstance(p.get("name"), str)}
