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
import re
from dataclasses import dataclass
from pathlib import Path

# --- where things live -----------------------------------------------------------------------

CONFIG_FILE = "mkdocs.yml"
REGISTRY_FILE = "sources.yaml"
PRODUCERS_FILE = "producers.yaml"  # each producer's (or publisher's) own sites: what a first-hand page stands on
CLAIMS_FILE = "claims.yaml"
CORRECTIONS_FILE = "corrections.yaml"  # readers' corrections: what a page or card said, and says now
DATA_DICTIONARY = "README.md"
SCHEMA_SUFFIX = ".schema.yaml"
# Where the built site publishes generated files: each chart's (image, table, spec) and the data's
# (datasets, schemas, registry, ledger, data package, citations).
SITE_CHARTS = "assets/charts"
SITE_DATA = "assets/data"

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


ENV_SITE_URL = "SITE_URL"
# Addresses that only work on the author's machine: never written into a built site.
LOCAL_ADDRESS_RE = re.compile(r"(?:https?:)?//(?:127\.0\.0\.1|localhost|0\.0\.0\.0|\[::1\])(?=[:/\"'\s<]|$)", re.I)
_GITHUB_REMOTE_RE = re.compile(
    r"^(?:https://(?:[^@/]+@)?github\.com/|git@github\.com:|ssh://git@github\.com/)([\w.-]+)/([\w.-]+?)(?:\.git)?/?$"
)


def github_pages_url(remote: str | None) -> str | None:
    """The GitHub Pages address of a repository, from its git remote URL:
    https://github.com/OWNER/REPO(.git) or git@github.com:OWNER/REPO.git -> https://OWNER.github.io/REPO/.
    None for any other remote. A repository named OWNER.github.io is served at the root."""
    m = _GITHUB_REMOTE_RE.match((remote or "").strip())
    if not m:
        return None
    owner, repo = m.group(1), m.group(2)
    if repo.lower() == f"{owner.lower()}.github.io":
        return f"https://{owner.lower()}.github.io/"
    return f"https://{owner.lower()}.github.io/{repo}/"


def git_origin_url() -> str | None:
    """The URL of the project's git remote `origin`, if it has one (read once per project and
    git config, so the many links of a build do not each ask git)."""
    root = project_root()
    config = root / ".git"
    stamp = config.stat().st_mtime_ns if config.exists() else None
    return _git_origin_url(str(root), stamp)


@functools.lru_cache(maxsize=8)
def _git_origin_url(root: str, _stamp: int | None) -> str | None:
    import subprocess

    try:
        out = subprocess.run(
            ["git", "remote", "get-url", "origin"], cwd=root, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return (out.stdout.strip() or None) if out.returncode == 0 else None


def site_url() -> tuple[str | None, str]:
    """The site's public address and where it came from: `SITE_URL` (or `site_url` in mkdocs.yml),
    else the GitHub Pages address of the git remote `origin`, else None (absolute addresses are
    then left out of the build). A local address (127.0.0.1, localhost) never counts."""
    configured = (os.environ.get(ENV_SITE_URL) or str(site_config().get("site_url") or "")).strip()
    if configured and not LOCAL_ADDRESS_RE.match(configured):
        return configured.rstrip("/") + "/", "SITE_URL" if os.environ.get(ENV_SITE_URL) else "site_url in mkdocs.yml"
    remote = git_origin_url()
    derived = github_pages_url(remote)
    if derived:
        return derived, f"the git remote origin ({remote})"
    return None, ""


def site_base() -> str:
    """The site's public address (`site_url()`), ending in one slash, that page paths are
    appended to; "" when it is not known, so links built on it stay relative to the site root."""
    url, _ = site_url()
    return url or ""


def site_extra() -> dict:
    """The `extra:` settings of the project's mkdocs.yml (its byline, where to send corrections)."""
    return site_config().get("extra") or {}


ENV_REPO = "REPO_URL"
# Readers report errors through an issue form in the repository (`.github/ISSUE_TEMPLATE/<form>`);
# a link may prefill the form's fields by their ids (GitHub reads them from the query string).
REPORT_FORM = "correction.yml"
REPORT_FIELDS = ("page", "claim")  # what a "Report an error" link fills in


def repo_url() -> str | None:
    """The project's public repository: $REPO_URL, else `repo_url` in mkdocs.yml, else the git
    remote `origin` when it is on GitHub (as https://github.com/owner/name). None when unknown:
    then no page links to it."""
    url = os.environ.get(ENV_REPO) or site_config().get("repo_url")
    if url:
        return str(url).strip().rstrip("/") or None
    return _origin_on_github(str(project_root()))


@functools.lru_cache(maxsize=8)
def _origin_on_github(root: str) -> str | None:
    import re
    import subprocess

    try:
        out = subprocess.run(
            ["git", "remote", "get-url", "origin"], cwd=root, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.fullmatch(
        r"(?:https://(?:[^@/]+@)?github\.com/|git@github\.com:|ssh://git@github\.com/)"
        r"([A-Za-z0-9][\w.-]*)/([\w.-]+?)(?:\.git)?/?",
        out.stdout.strip() if out.returncode == 0 else "",
    )
    return f"https://github.com/{m.group(1)}/{m.group(2)}" if m else None


def report_url(repo: str | None, title: str, fields: dict[str, str]) -> str | None:
    """A link that opens a new, prefilled correction report in the repository's issue form, or
    None when the repository is unknown or not on GitHub (its issue forms are GitHub's)."""
    from urllib.parse import urlencode, urlparse

    if not repo or urlparse(repo).hostname not in ("github.com", "www.github.com"):
        return None
    query = {"template": REPORT_FORM, "title": title, **{k: v for k, v in fields.items() if v}}
    return f"{repo}/issues/new?{urlencode(query)}"


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


_env_before: dict[str, str | None] = {}


def use_data_dir(path: Path | None) -> None:
    """Read data from `path` from now on (None: the project's own again). Child processes (the
    notebook's kernel, chart workers) follow through the environment."""
    if path is None:
        _chosen["data"] = _chosen["own_data"] = None
        if ENV_DATA not in _env_before:  # no snapshot was being read: nothing to restore
            return
        before = _env_before.pop(ENV_DATA)  # the environment as it was: set, or unset
        if before is None:
            os.environ.pop(ENV_DATA, None)
        else:
            os.environ[ENV_DATA] = before
        return
    if _chosen["data"] is None:
        _env_before[ENV_DATA] = os.environ.get(ENV_DATA)
    _chosen["own_data"], _chosen["data"] = own_data_dir(), Path(path).resolve()
    os.environ[ENV_DATA] = str(_chosen["data"])


def docs_dir() -> Path:
    return (project_root() / "docs").resolve()


def charts_dir() -> Path:
    """The chart modules (one chart per file)."""
    return _dir(ENV_CHARTS, "charts")


def out_dir() -> Path:
    """Generated, git-ignored artifacts: chart files, the Vega bundle, caches."""
    return _dir(ENV_BUILD, "build")


def chart_files_dir() -> Path:
    """Each chart's generated files (spec, images, table, metadata), as the render step writes them."""
    return out_dir() / "charts"


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
    Term(
        "third-party copy",
        "the producer's publication or data file (or a compiled dataset) copied by someone else, such as a file in "
        "another person's repository: the figures are the producer's, the page is not",
    ),
    Term("press-wire copy", "the producer's press release as carried by a news wire or another site"),
    Term("news coverage", "a news report of the producer's figures"),
    Term("secondary summary", "a blog, aggregator or summary that repeats the figures"),
]
FIRST_HAND_KINDS = {"primary publication", "producer data file", "official statistics", "compiled dataset"}
# How a source line names a page that is not the producer's own: "<producer> figures, via a copy ...".
KIND_PHRASES = {
    "third-party copy": ("a copy", "copies"),
    "press-wire copy": ("a reprint of the release", "reprints of releases"),
    "news coverage": ("a news report", "news reports"),
    "secondary summary": ("a summary", "summaries"),
}
# Hosts many people publish on: a site there is an account ("github.com/owid"), never the host alone.
SHARED_HOSTS = {
    "github.com": "GitHub",
    "raw.githubusercontent.com": "GitHub",
    "huggingface.co": "Hugging Face",
}
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
# Dataset columns whose values are one of these vocabularies: each schema's `enum` for the column must
# list exactly these names (check-data compares them, `[vocabulary]`).
COLUMN_VOCABULARIES = {"status": STATUSES}

# The verdict scale, best first. A computed verdict comes from the data; any other is written.
VERDICTS = [
    Term(
        "matches",
        "the data give the essay's figure as precisely as the essay writes it (or within 2%), "
        "or bear out what it says in words",
        "ok",
        5,
    ),
    Term("close", "the data give a figure within 10% of the essay's", "ok", 4),
    Term("different year", "the figure is right but belongs to another year than the essay says", "warn", 3),
    Term(
        "partly supported",
        "part of the claim holds; the figure's scope, wording or attribution does not, or it understates",
        "warn",
        3,
    ),
    Term("different figure", "the data give a figure more than 10% away from the essay's", "bad", 2),
    Term("does not hold", "the data contradict what the essay says in words (the highest, rose every year)", "bad", 2),
    Term("contradicts itself", "the essay gives two figures for the same thing that cannot both be right", "bad", 1),
    Term("not found", "no source we could read gives this figure; it may still be right", "neutral"),
    Term("not checkable", "the claim is an opinion or a forecast no figure can settle", "neutral"),
]
# Editions: a dataset with this column says which edition (or vintage) of a publication each value
# comes from. Rows of one series (the primary key less the time and edition columns) must share one
# edition, unless the schema declares where it may change (`edition_breaks`, each with the label the
# chart draws at the break; `at: every` for a series whose every point is from its own edition).
EDITION_FIELD = "edition"
EDITION_BREAKS_KEY = "edition_breaks"

DEFAULT_TOLERANCE = 0.02  # within 2 %: the figure matches (also when it rounds to the essay's figure as written)
CLOSE = 0.10  # within 10 %: close. A floor ("over X") cleared by more than this understates the data.
# A figure looked for in another year than the essay's must round to it as written or be this near:
# stricter than the 2 %, so that a neighbouring year's similar value is not taken for a slip.
YEAR_SEARCH_MARGIN = 0.005
# Verdicts a computed claim may be capped at, when its number holds but its wording does not.
CAPS = ["close", "different year", "partly supported"]
# Verdicts that say how a figure compares with a source's figure: a written one needs that figure.
NUMBER_VERDICTS = ["matches", "close", "different year", "different figure"]

# How the essay words a figure (`figure.reading`), and how the rules read it.
READINGS = [
    Term(
        "about",
        "as written: the figure holds when the data round to it at the precision the essay writes it "
        '("about 6%" for 5.5 to 6.5, "4.4×" for 4.35 to 4.45) or are within 2% of it',
    ),
    Term(
        "over",
        'a floor ("over X", "more than X"): it holds when the data are at least X (or within 2% below it); when '
        "they are more than 10% above it, the claim is true but understates, and is partly supported",
    ),
    Term(
        "under",
        'a ceiling ("under X", "less than X"): it holds when the data are at most X (or within 2% above it); '
        "when they are more than 10% below it, the claim is true but overstates, and is partly supported",
    ),
]
# The operations a computed claim may name (`compare.op`) are the table `claims.OPS`.


# How a verdict's colour reads in a summary, for one claim and for several: "1 is wrong, 17 hold up".
TONE_SUMMARY = {
    "ok": ("holds up", "hold up"),
    "warn": ("holds only with a correction", "hold only with a correction"),
    "bad": ("is wrong", "are wrong"),
    "neutral": ("could not be settled", "could not be settled"),
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

# How prose may write a unit again next to a value that already carries it, by the unit a
# formatted value ends with (or, for "$", starts with): "2.3× times", "54%%", "$5 billion billion"
# write it twice. A value's unit is written once, by the formatter or by the prose (guards.py).
UNIT_WORDS = {
    "×": ("×", "x", "times", "fold", "-fold"),
    "%": ("%", "percent", "per cent", "pct"),
    "billion": ("billion", "bn"),
    "million": ("million", "mn"),
    "trillion": ("trillion",),
    "per kWh": ("per kWh", "/kWh"),
    "$": ("$", "US$", "USD"),
}

MAX_QUOTE_WORDS = 25  # claim quotes stay short: the pages explain in our own words
# A chart's source line, as Our World in Data gives it: the producers named, at most this many links
# (and as many producers named when a chart gives no CREDIT); the Fact-check table lists as many.
MAX_SOURCE_LINKS = 3

# The columns that order a series in time, in the order they are looked for (a dataset's, a claim's
# evidence, a chart's table, a trend marker's series, an edition break's key). Trend phrases
# (explainer/content/trends.py): the options a trend marker takes (never a dataset's column name); and the
# words a hand-typed trend is checked by. A series "stayed near" a level when it moved less than
# FLAT_CHANGE between the first and last readings the sentence spans; "changed hands" is tested
# on a single series only when its column measures a lead (its name holds one of LEAD_COLUMN_WORDS).
TIME_COLUMNS = ("year", "date", "period", "month")
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
