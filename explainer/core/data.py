"""The one loader: every chart, page hook and the Methods notebook read data through it.

Datasets are `data/<name>.csv`, each described by `data/<name>.schema.yaml` (a
Frictionless Table Schema). Columns come back typed after the schema, and each file
is parsed once per change (cached on its path, size and modification time).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from explainer.core import settings
from explainer.core.problems import did_you_mean

_PANDAS_TYPES = {
    "integer": "Int64",
    "number": "Float64",
    "string": "string",
    "year": "Int64",
    "boolean": "boolean",
}

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: much faster

# Charts record what they read, so the runner can cache them on exactly their inputs.
_reads: list[Path] = []


def dataset_path(name: str) -> Path:
    return settings.data_dir() / f"{name}.csv"


def schema_path(name: str) -> Path:
    return settings.data_dir() / f"{name}{settings.SCHEMA_SUFFIX}"


def dataset_names() -> list[str]:
    """Every dataset: a CSV beside its schema."""
    return sorted(
        p.name[: -len(settings.SCHEMA_SUFFIX)] for p in settings.data_dir().glob(f"*{settings.SCHEMA_SUFFIX}")
    )


def _stamp(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return (str(path), st.st_size, st.st_mtime_ns)


def schema(name: str) -> dict[str, Any]:
    return _read_yaml(*_stamp(schema_path(name)))


@functools.lru_cache(maxsize=64)
def _read_yaml(path: str, _size: int, _mtime: int) -> Any:
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=_YAML_LOADER)


@functools.lru_cache(maxsize=64)
def _read_csv(path: str, _size: int, _mtime: int, dtypes: tuple[tuple[str, str], ...]) -> pd.DataFrame:
    return pd.read_csv(path, dtype=dict(dtypes), keep_default_na=False, na_values=[""], encoding="utf-8")


def _cached(name: str) -> tuple[tuple, pd.DataFrame]:
    """(the key it was read under, the shared parsed frame): never hand the frame out unchanged."""
    path = dataset_path(name)
    try:
        fields = schema(name)["fields"]
    except FileNotFoundError:
        raise KeyError(f"unknown dataset '{name}'{did_you_mean(name, dataset_names())}") from None
    dtypes = tuple((f["name"], _PANDAS_TYPES.get(f.get("type", "string"), "string")) for f in fields)
    _reads.append(path)
    key = (*_stamp(path), dtypes)
    return key, _read_csv(*key)


def load(name: str) -> pd.DataFrame:
    """A dataset as a typed DataFrame (a copy: callers may change it freely)."""
    return _cached(name)[1].copy()


def registry() -> list[dict[str, Any]]:
    """The source registry, in file order."""
    return _read_yaml(*_stamp(settings.data_dir() / settings.REGISTRY_FILE)) or []


def sources_by_id() -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in registry()}


def claims() -> list[dict[str, Any]]:
    """The claims ledger, in the essay's order."""
    return _read_yaml(*_stamp(settings.data_dir() / settings.CLAIMS_FILE)) or []


def select(name: str, where: dict[str, Any]) -> pd.DataFrame:
    """Rows of a dataset whose columns equal every value in `where` (compared as text)."""
    key, df = _cached(name)
    return _select(key, tuple((str(c), str(v)) for c, v in where.items()), name).copy()


@functools.lru_cache(maxsize=1024)
def _select(key: tuple, where: tuple[tuple[str, str], ...], name: str) -> pd.DataFrame:
    """The rows a selector picks, kept per file version (pages, cards and the package ask often)."""
    df = _read_csv(*key)
    mask = pd.Series(True, index=df.index)
    for col, value in where:
        if col not in df.columns:
            raise KeyError(f"dataset '{name}' has no column '{col}'{did_you_mean(col, df.columns)}")
        mask &= _text_column(key, col) == value
    return df[mask]


@functools.lru_cache(maxsize=256)
def _text_column(key: tuple, col: str) -> pd.Series:
    """A column as text, kept per file version (a page's markers select from the same data often)."""
    return _read_csv(*key)[col].astype("string")


def value(name: str, where: dict[str, Any], column: str) -> float:
    """The one value a selector picks out; an error unless exactly one row matches."""
    rows = select(name, where)
    if column not in rows.columns:
        raise KeyError(f"dataset '{name}' has no column '{column}'{did_you_mean(column, rows.columns)}")
    if len(rows) != 1:
        raise LookupError(f"{name} {where}: {len(rows)} rows match, expected exactly 1")
    v = rows.iloc[0][column]
    if pd.isna(v):
        raise LookupError(f"{name} {where}: column '{column}' is empty")
    return float(v)


def start_recording() -> None:
    _reads.clear()


def recorded() -> list[Path]:
    return sorted(set(_reads))


def producers() -> dict[str, dict[str, Any]]:
    """Each producer's (or publisher's) own sites and short name, by name, from producers.yaml
    ({} when the file is absent)."""
    path = settings.data_dir() / settings.PRODUCERS_FILE
    if not path.exists():
        return {}
    items = _read_yaml(*_stamp(path)) or []
    return {p["name"]: p for p in items if isinstance(p, dict) and isinstance(p.get("name"), str)}
