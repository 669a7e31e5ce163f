"""The records the engine passes around, typed: a source of the registry, a claim of the ledger and a
chart's metadata. One dataclass per record, a comment per field (as owid/etl's `Origin`).

The files are validated by their JSON Schemas (`schemas.py`: what `check-data` enforces and the data
dictionary lists); the loader (`data.py`) then builds these records, and the rest of the engine
reads attributes, never keys. `from_dict` takes a file's mapping as it is (a line number or an
unknown key is left out; a missing field is None or its default), so it never fails: what a record
must hold is the schema's to say.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, TypeVar

R = TypeVar("R")


def _build(cls: type[R], d: Any, **nested: Any) -> R:
    """A record from a mapping: its own fields only, missing ones at their default (else None)."""
    d = d if isinstance(d, dict) else {}
    values = {}
    for f in dataclasses.fields(cls):
        if f.name in nested:
            values[f.name] = nested[f.name]
        elif f.name in d:
            values[f.name] = d[f.name]
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            values[f.name] = None
    return cls(**values)


# --- the source registry (data/sources.yaml) ----------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One page read: an entry of the source registry (field names after Our World in Data's `origin`)."""

    id: str  # a slug; its anchor on the Sources page and its BibTeX key
    producer: str  # who made the figures
    publisher: str | None  # who published the page read, when someone else did (None: the producer's own page)
    title: str  # the publication's or page's title
    citation_full: str  # the full citation, in words
    url_main: str  # the page where the figures were actually read
    kind: str  # what kind of page it is (settings.SOURCE_KINDS)
    reliability: str  # how far this page can be trusted for its figures (settings.RELIABILITY)
    date_published: str | None  # as the page dates itself: YYYY, YYYY-MM or YYYY-MM-DD (None: no date shown)
    date_accessed: str  # the day it was read, YYYY-MM-DD
    license: str | None  # None: not known
    notes: str | None  # what a reader of the entry should know (which year the figures are for, ...)
    primary: str | None = None  # the original publication, in words, when url_main is a copy or coverage
    primary_url: str | None = None  # its address, when known
    url_archive: str | None = None  # an archived copy of url_main (web.archive.org)
    # How a source line names the page read when its kind's words are not precise enough ("an
    # unofficial transcription").
    read_as: str | None = None

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Source:
        return _build(cls, d)


# --- the claims ledger (data/claims.yaml) ---------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """The figure the essay gives, as it writes it."""

    value: float | int | str  # as written: 4.4 is read at one decimal, 6 at none; words stay words
    unit: str  # as settings.UNIT_FORMATS names it ("%", "×", "US$ billion", ...)
    year: int | str | None = None  # the year the essay gives it for
    reading: str = "about"  # about X (as written), over X (a floor), under X (a ceiling): settings.READINGS

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Figure:
        return _build(cls, d)


@dataclass(frozen=True)
class Found:
    """A written claim's figure from the sources, which the rules compare with the essay's."""

    value: float  # the figure the sources give
    year: int | str | None = None  # the year they give it for
    cap: str | None = None  # the verdict it is held at, at best, when its wording does not hold (settings.CAPS)
    cap_reason: str | None = None  # why, in words the card shows

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Found:
        return _build(cls, d)


@dataclass(frozen=True)
class Selector:
    """One value of the data: the row of a dataset whose columns equal `where`, and its column."""

    dataset: str  # a dataset's name (data/<dataset>.csv)
    where: dict[str, Any]  # column -> value, compared as text; a year column here is the year compared
    column: str  # the column holding the value

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Selector:
        return _build(cls, d, where=dict((d or {}).get("where") or {}))


@dataclass(frozen=True)
class Compare:
    """How a computed claim is checked against the data."""

    op: str  # an operation of claims.OPS: value, ratio, share, sum, or a check worded without a number
    of: tuple[Selector, ...]  # the values it reads, in order
    tolerance: float | None = None  # a wider margin than settings.DEFAULT_TOLERANCE (needs its reason)
    tolerance_reason: str | None = None  # why, in words the card shows
    year: int | str | None = None  # the data's year compared, when not the first selector's
    cap: str | None = None  # the verdict it is held at, at best (settings.CAPS; needs its reason)
    cap_reason: str | None = None  # why, in words the card shows
    threshold: float | None = None  # 'below': the share (in percent) the card calls small
    to: int | str | None = None  # 'rose_every_year': the last year read

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Compare:
        return _build(cls, d, of=tuple(Selector.from_dict(s) for s in (d or {}).get("of") or []))


@dataclass(frozen=True)
class Claim:
    """One claim of the essay: its words, its figure, and either how the data check it (`compare`)
    or the verdict written from the sources (`verdict`, `finding`, `sources`)."""

    id: str  # a short id ("W1"); its card is anchored claim-<id>
    section: str  # the page (docs/<section>.md) whose cards show it
    quote: str  # the essay's words, short
    figure: Figure | None = None  # the figure the essay gives (None: worded without a number)
    found: Found | None = None  # a written claim's figure from the sources
    compare: Compare | None = None  # a computed claim's check against the data
    verdict: str | None = None  # a written claim's verdict (settings.VERDICTS); a computed claim's is decided
    finding: str | None = None  # what the sources say (a written claim)
    sources: tuple[str, ...] = ()  # registry ids it lists (a computed claim's rows add their own)
    note: str | None = None  # what the figures are, shown on the card after them
    year_slip: str | None = None  # the claim that holds the same slip of year, counted once there

    @property
    def computed(self) -> bool:
        """Checked against the data (it has `compare`), not judged from the sources."""
        return self.compare is not None

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Claim:
        d = d or {}
        return _build(
            cls,
            d,
            figure=Figure.from_dict(d["figure"]) if isinstance(d.get("figure"), dict) else None,
            found=Found.from_dict(d["found"]) if isinstance(d.get("found"), dict) else None,
            compare=Compare.from_dict(d["compare"]) if isinstance(d.get("compare"), dict) else None,
            sources=tuple(d.get("sources") or ()),
        )


# --- a chart's metadata (build/charts/<id>.meta.json) ---------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of a chart's table, as readers see it."""

    name: str  # the column of the chart's data
    header: str  # its title and unit, from the schema ("Widgets made (thousands)")
    kind: str  # number | year | date | text | source (a row's sources, from every column in `of`)
    of: list[str] | None = None  # a source column: the data's source columns it gathers
    precision: str | None = None  # a date: year | month, or the column giving each row's precision

    @classmethod
    def from_dict(cls, d: dict[str, Any] | str) -> Column:
        if isinstance(d, str):  # a chart rendered before tables had headers
            return cls(d, d.replace("_", " "), "text")
        return _build(cls, d)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}


@dataclass(frozen=True)
class Table:
    """The data behind a chart, for readers: the first layer's rows, in the reader's columns."""

    columns: list[Column]
    # One list per row, a cell per column: a source column's cell is the row's registry ids, a date's
    # with a precision column [value, precision].
    rows: list[list[Any]]


@dataclass(frozen=True)
class Size:
    """The static images' sizes in pixels, (width, height)."""

    wide: tuple[int, int]  # the light.svg and dark.svg
    narrow: tuple[int, int]  # the narrow.*.svg a small screen shows


@dataclass(frozen=True)
class ChartMeta:
    """What `render` writes for a chart (build/charts/<id>.meta.json) and the pages read back."""

    id: str  # the chart module's stem
    title: str  # the docstring's first line
    takeaway: str  # its next paragraph: the chart's headline
    subtitle: str  # SUBTITLE: the measure and its unit
    credit: str  # CREDIT: the producers, in words (else named from the registry)
    description: str  # the alt text: title, takeaway and key numbers
    sources: list[str]  # every registry id the chart's rows cite, those SOURCES declares first
    declared_sources: list[str]  # SOURCES: the ones its source line links
    datasets: list[str]  # the datasets it read
    size: Size
    table: Table = field(default_factory=lambda: Table([], []))

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ChartMeta:
        size, table = d.get("size") or {}, d.get("table") or {}
        return _build(
            cls,
            d,
            size=Size(tuple(size.get("wide") or (0, 0)), tuple(size.get("narrow") or (0, 0))),
            table=Table([Column.from_dict(c) for c in table.get("columns") or []], list(table.get("rows") or [])),
            datasets=list(d.get("datasets") or []),
        )

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["size"] = {"wide": list(self.size.wide), "narrow": list(self.size.narrow)}
        out["table"] = {"columns": [c.to_dict() for c in self.table.columns], "rows": self.table.rows}
        return out
