"""Settings and vocabularies: the names of a project's files, and the fixed scales every check uses.

This module imports nothing of the package, so every other module can import it, and holds no
state. Everything here is defined once: the verdict scale, the reliability and kind of a source,
the status of a value, the page budgets. Where one explainer's files are (its `mkdocs.yml`,
`data/`, `docs/`, `charts/`) is a `Project` (`explainer/core/project.py`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

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

# Overrides, for tests that point the build at copies (read when a Project is loaded, never written).
ENV_PROJECT = "EXPLAINER_PROJECT"
ENV_DATA = "EXPLAINER_DATA_DIR"
ENV_BUILD = "EXPLAINER_BUILD_DIR"
ENV_CHARTS = "EXPLAINER_CHARTS_DIR"

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


ENV_REPO = "REPO_URL"
# Readers report errors through an issue form in the repository (`.github/ISSUE_TEMPLATE/<form>`);
# a link may prefill the form's fields by their ids (GitHub reads them from the query string).
REPORT_FORM = "correction.yml"
REPORT_FIELDS = ("page", "claim")  # what a "Report an error" link fills in


def report_url(repo: str | None, title: str, fields: dict[str, str]) -> str | None:
    """A link that opens a new, prefilled correction report in the repository's issue form, or
    None when the repository is unknown or not on GitHub (its issue forms are GitHub's)."""
    from urllib.parse import urlencode, urlparse

    if not repo or urlparse(repo).hostname not in ("github.com", "www.github.com"):
        return None
    query = {"template": REPORT_FORM, "title": title, **{k: v for k, v in fields.items() if v}}
    return f"{repo}/issues/new?{urlencode(query)}"


ENV_QUIET = "EXPLAINER_QUIET"


def quiet() -> bool:
    """Quiet mode (CI, or `--quiet`): problems and one summary line per step, no per-item lines."""
    return os.environ.get(ENV_QUIET) == "1" or os.environ.get("CI") == "true"


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
# Under serve, what a save leaves to do in the background (a chart's other images, the notebook
# re-run) waits until the author has not saved for this long, so quick saves never queue behind it
# (saves up to two seconds apart leave less than this between one rebuild's end and the next save).
SERVE_QUIET_S = 1.5

# --- the browser -----------------------------------------------------------------------------

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
