"""Settings and vocabularies: where a project's files live, and the fixed scales every check uses.

This module imports nothing of the package, so every other module can import it. Everything
here is defined once: the verdict scale, the reliability and kind of a source, the status of a
value, the page budgets. The project (the explainer being built: its `mkdocs.yml`, `data/`,
`docs/`, `charts/`) is found from the working directory, or named with `--project` on the
command line, or by the MkDocs plugin from the config file it was loaded with.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

# --- where things live -----------------------------------------------------------------------

CONFIG_FILE = "mkdocs.yml"
REGISTRY_FILE = "sources.yaml"
CLAIMS_FILE = "claims.yaml"
DATA_DICTIONARY = "README.md"
SCHEMA_SUFFIX = ".schema.yaml"

# Overrides, for tests that point the build at copies (read when asked, never written here).
ENV_PROJECT = "EXPLAINER_PROJECT"
ENV_DATA = "EXPLAINER_DATA_DIR"
ENV_BUILD = "EXPLAINER_BUILD_DIR"
ENV_CHARTS = "EXPLAINER_CHARTS_DIR"

_chosen: dict[str, Path | None] = {"project": None, "data": None, "own_data": None}


def project_root() -> Path:
    """The explainer's folder: chosen explicitly, else $EXPLAINER_PROJECT, else the nearest folder
    at or above the working directory that holds a mkdocs.yml."""
    if _chosen["project"]:
        return _chosen["project"]
    if os.environ.get(ENV_PROJECT):
        return Path(os.environ[ENV_PROJECT]).resolve()
    here = Path.cwd().resolve()
    return next((p for p in (here, *here.parents) if (p / CONFIG_FILE).is_file()), here)


def site_config() -> dict:
    """The project's mkdocs.yml as plain data (site name and URL, `extra:` with its byline), read
    without MkDocs: `!ENV [NAME, default]` takes the variable when set, else the default."""
    path = project_root() / CONFIG_FILE
    env = tuple(sorted((k, v) for k, v in os.environ.items() if k in ("SITE_URL", "REPO_URL")))
    return _site_config(str(path), path.stat().st_mtime_ns if path.is_file() else None, env)


def site_base() -> str:
    """The site's URL (`site_url`), ending in one slash: what page paths are appended to."""
    return str(site_config().get("site_url") or "").rstrip("/") + "/"


def site_extra() -> dict:
    """The `extra:` settings of the project's mkdocs.yml (its byline, where to send corrections)."""
    return site_config().get("extra") or {}


@functools.lru_cache(maxsize=8)
def _site_config(path_text: str, mtime: int | None, _env: tuple) -> dict:
    import yaml

    class _Loader(yaml.SafeLoader):
        pass

    def _tag(loader, suffix, node):
        if isinstance(node, yaml.SequenceNode):
            items = loader.construct_sequence(node)
            if suffix == "ENV":
                return next((os.environ[n] for n in items[:-1] if os.environ.get(n)), items[-1] if items else None)
            return items[-1] if items else None
        return loader.construct_scalar(node)

    _Loader.add_multi_constructor("!", _tag)
    if mtime is None:
        return {}
    return yaml.load(Path(path_text).read_text(encoding="utf-8"), Loader=_Loader) or {}


ENV_QUIET = "EXPLAINER_QUIET"


def quiet() -> bool:
    """Quiet mode (CI, or `--quiet`): problems and one summary line per step, no per-item lines."""
    return os.environ.get(ENV_QUIET) == "1" or os.environ.get("CI") == "true"


def use_project(root: Path | None) -> None:
    _chosen["project"] = Path(root).resolve() if root else None


def _dir(env: str, default: str) -> Path:
    path = str(os.environ.get(env) or project_root() / default)
    return _resolved(path, None if os.path.isabs(path) else os.getcwd())


@functools.lru_cache(maxsize=64)
def _resolved(path: str, _cwd: str | None) -> Path:
    """A folder resolved once (a page's markers ask for the data folder hundreds of times)."""
    return Path(path).resolve()


def data_dir() -> Path:
    """The datasets, registry and claims ledger being read (read-only for every build step)."""
    return _chosen["data"] or _dir(ENV_DATA, "data")


def own_data_dir() -> Path:
    """The project's own data folder, even while a snapshot of it is being read."""
    return _chosen["own_data"] or data_dir()


def use_data_dir(path: Path | None) -> None:
    """Read data from `path` from now on (None: the project's own again). Child processes (the
    notebook's kernel, chart workers) follow through the environment."""
    own = own_data_dir()
    if path is None:
        _chosen["data"] = _chosen["own_data"] = None
        os.environ[ENV_DATA] = str(own)
        return
    _chosen["own_data"], _chosen["data"] = own, Path(path).resolve()
    os.environ[ENV_DATA] = str(_chosen["data"])


def docs_dir() -> Path:
    return (project_root() / "docs").resolve()


def charts_dir() -> Path:
    """The chart modules (one chart per file)."""
    return _dir(ENV_CHARTS, "charts")


def out_dir() -> Path:
    """Generated, git-ignored artifacts: chart files, the Vega bundle, caches."""
    return _dir(ENV_BUILD, "build")


def rel(path: Path) -> str:
    """A path as authors see it in messages: relative to the project when possible."""
    try:
        return str(Path(path).resolve().relative_to(project_root()))
    except ValueError:
        return str(path)


# --- vocabularies ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    name: str
    meaning: str  # one line, in plain words, shown to readers
    tone: str = "neutral"  # ok | warn | bad | neutral: the colour a verdict is shown in
    rating: int | None = None  # a verdict's place on a 1-5 truth scale (schema.org ClaimReview)


# What kind of page a figure was read in, best first. The first three count as the producer's
# own or official footing.
SOURCE_KINDS = [
    Term("primary publication", "the producer's own report, release, filing or web page"),
    Term("producer data file", "a data file published by the producer, cited at the version read"),
    Term("official statistics", "a government statistics office or regulator"),
    Term(
        "compiled dataset",
        "a dataset compiled from the producer's figures by a research group such as Our World in Data",
    ),
    Term("press-wire copy", "the producer's press release as carried by a news wire or another site"),
    Term("news coverage", "a news report of the producer's figures"),
    Term("secondary summary", "a blog, aggregator or summary that repeats the figures"),
]
FIRST_HAND_KINDS = {"primary publication", "producer data file", "official statistics", "compiled dataset"}
# What the data must stand on (share of all values, a value being one dataset row): a test holds them.
FOOTING_TARGETS = {"low_max": 0.10, "first_hand_min": 0.60}

RELIABILITY = [
    Term("high", "the producer's or an official body's own page or file", "ok"),
    Term("medium", "a reputable copy or report of the producer's figures", "warn"),
    Term("low", "a blog, aggregator or unknown site: the figure could not be read anywhere better", "bad"),
]

STATUSES = [
    Term("reported", "as published for a past period"),
    Term("preliminary", "a first estimate, revised later"),
    Term("revised", "a later edition changed the first figure"),
    Term("projected", "a forecast, a target or company guidance"),
    Term("estimated", "an approximation or a model estimate"),
]

# The verdict scale, best first. A computed verdict comes from the data; any other is written.
VERDICTS = [
    Term("matches", "the data give the essay's figure, within 2%", "ok", 5),
    Term("close", "the data give a figure within 10% of the essay's", "ok", 4),
    Term("different year", "the figure is right but belongs to another year than the essay says", "warn", 3),
    Term("partly supported", "part of the claim holds; the figure's scope or wording does not", "warn", 3),
    Term("different figure", "the data give a figure more than 10% away from the essay's", "bad", 2),
    Term("contradicts itself", "the essay gives two figures for the same thing that cannot both be right", "bad", 1),
    Term("not found", "no source we could read gives this figure; it may still be right", "neutral"),
    Term("not checkable", "the claim is an opinion or a forecast no figure can settle", "neutral"),
]
DEFAULT_TOLERANCE = 0.02  # within 2 %: the figure matches
CLOSE = 0.10  # within 10 % (or 3x the claim's tolerance): close
# Verdicts a computed claim may be capped at, when its number holds but its wording does not.
CAPS = ["close", "different year", "partly supported"]


# How a verdict's colour reads in a summary: "21 hold up, 13 need qualifying, ...".
TONE_SUMMARY = {
    "ok": "hold up",
    "warn": "hold only with a correction",
    "bad": "are wrong",
    "neutral": "could not be settled",
}


def names(terms: list[Term]) -> list[str]:
    return [t.name for t in terms]


def tone(verdict: str) -> str:
    return next(t.tone for t in VERDICTS if t.name == verdict)


# How a figure with a unit reads in prose: "{n}" is the formatted number.
UNIT_FORMATS = {
    "times": ("{n}×", ".1f"),
    "percent": ("{n}%", ".1f"),
    "US$ per kWh": ("${n} per kWh", ".2f"),
    "US$ billion": ("${n} billion", None),
}

MAX_QUOTE_WORDS = 25  # claim quotes stay short: the pages explain in our own words

# Trend phrases (explainer/trends.py): the columns that order a series in time, in the order
# they are looked for; the options a trend marker takes (never a dataset's column name); and the
# words a hand-typed trend is checked by. A series "stayed near" a level when it moved less than
# FLAT_CHANGE between the first and last readings the sentence spans; "changed hands" is tested
# on a single series only when its column measures a lead (its name holds one of LEAD_COLUMN_WORDS).
TIME_COLUMNS = ("year", "date", "period")
TREND_OPTIONS = ("from", "to", "by", "as")
FLAT_CHANGE = 0.05
LEAD_COLUMN_WORDS = ("gap", "lead", "margin", "difference")
TREND_WORDS = {
    "flat": r"stay(?:s|ed)? (?:near|around|at|flat)|barely chang\w*|hardly chang\w*|held steady|remain(?:s|ed)? flat",
    "up and down": r"widen(?:s|ed)? and narrow\w*|narrow(?:s|ed)? and widen\w*|r(?:ose|ises?) and f(?:ell|alls?)"
    r"|f(?:ell|alls?) and r(?:ose|ises?)",
    "changed hands": r"chang(?:ed|es|ing) hands",
}
TREND_NEGATIONS = r"\b(?:never|not|without|no)\b[^.;:]{0,40}$"

# --- budgets ---------------------------------------------------------------------------------

PAGE_BYTES = 150 * 1024  # compressed bytes of a first view, before any interaction
PAGE_REQUESTS = 20  # requests of a first view, before any interaction
LIGHTHOUSE_BUDGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}

# --- the browser -----------------------------------------------------------------------------

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
