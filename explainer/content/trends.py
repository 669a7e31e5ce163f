"""Trend phrases computed from the data, and hand-typed trend words checked against it.

A sentence that says a series "stayed near" a level, "widened and narrowed" or that a lead
"changed hands" can drift from the data as easily as a typed figure. Authors write markers
instead, expanded like the value markers (`markers.py`):

    {{ change widgets.units place=Atlantis from=2023 to=2024 }}       rose 20%, from 100 to 120
    {{ change widgets.units place=Atlantis from=2023 to=2024 as=amount }}   rose by 20, from 100 to 120
    {{ ratio widgets.units year=2024 place=Atlantis vs place=Lemuria }}    1.5×
    {{ sum widgets.units year=2024 place!=World }}                    the total of the rows picked
    {{ led widgets.units place=Atlantis vs place=Lemuria }}           in every year from 2020 to 2024
    {{ leadchanges widgets.units place=Atlantis vs place=Lemuria }}   changed hands once, in 2022

Selectors after `vs` replace the first series' selectors of the same column. A series is ordered
by its time column (`settings.TIME_COLUMNS`, or `by=`); `from=`/`to=` pick or bound readings.
`| spec` formats the values the phrase quotes (`| ,.0f`). `leadchanges` on one series reads the
sign of its values (a gap: positive, the first side leads).

`check_words` tests hand-typed trend words (`settings.TREND_WORDS`) against the series of the
nearest marker in the same sentence, over the years the sentence names, and reports a problem
where the data contradict them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from explainer.core import data as D
from explainer.core import settings
from explainer.core.problems import Problem, did_you_mean

KINDS = ("change", "ratio", "sum", "led", "leadchanges")
_SEL = r"(?:vs|[\w]+!?=(?:\"[^\"]*\"|[^\s}|]+))"
MARKER_RE = re.compile(
    r"\{\{\s*(" + "|".join(KINDS) + r")\s+([\w]+)\.([\w]+)((?:\s+" + _SEL + r")*)\s*(?:\|\s*([^}]+?))?\s*\}\}"
)
ARG_RE = re.compile(r"(vs)\b|([\w]+)(!?=)(\"[^\"]*\"|[^\s}|]+)")
# The value markers of markers.py, read here only to find the series a trend word sits next to.
DATA_MARKER_RE = re.compile(r"\{\{\s*data\s+([\w]+)\.([\w]+)((?:\s+[\w]+=(?:\"[^\"]*\"|[^\s}|]+))*)\s*(?:\|[^}]*)?\}\}")


@dataclass
class Spec:
    """A parsed trend marker: dataset, column, the first series' selectors, the second's (or None)."""

    kind: str
    name: str
    column: str
    a: dict[str, str]
    b: dict[str, str] | None
    exclude: list[tuple[str, str]]  # col!=value, any number per column
    options: dict[str, str]
    fmt: str | None

    @classmethod
    def parse(cls, m: re.Match) -> "Spec":
        kind, name, column, args, fmt = m.group(1), m.group(2), m.group(3), m.group(4) or "", m.group(5)
        if name not in D.dataset_names():
            raise KeyError(f"unknown dataset '{name}' in {m.group(0)!r}{did_you_mean(name, D.dataset_names())}")
        a: dict[str, str] = {}
        b: dict[str, str] | None = None
        exclude: list[tuple[str, str]] = []
        options: dict[str, str] = {}
        for vs, key, op, value in ARG_RE.findall(args):
            if vs:
                if b is not None:
                    raise ValueError(f"{m.group(0)!r}: 'vs' may appear once")
                b = {}
                continue
            value = value.strip('"')
            if key in settings.TREND_OPTIONS:
                options[key] = value
            elif op == "!=":
                exclude.append((key, value))
            else:
                (a if b is None else b)[key] = value
        if kind in ("ratio", "led") and b is None:
            raise ValueError(f"{m.group(0)!r} compares two series: name the second after 'vs'")
        if kind in ("change", "sum") and b is not None:
            raise ValueError(f"{m.group(0)!r} reads one series: 'vs' does not apply")
        return cls(kind, name, column, a, None if b is None else {**a, **b}, exclude, options, fmt)


def time_column(name: str, by: str | None = None) -> str:
    columns = list(D.load(name).columns)
    if by:
        if by not in columns:
            raise KeyError(f"dataset '{name}' has no column '{by}' (by=){did_you_mean(by, columns)}")
        return by
    for col in settings.TIME_COLUMNS:
        if col in columns:
            return col
    raise ValueError(f"dataset '{name}' has no time column ({', '.join(settings.TIME_COLUMNS)}): name one with by=")


def _label(t) -> str:
    return str(int(t)) if isinstance(t, float) and t.is_integer() else str(t)


def series(
    name: str, column: str, where: dict[str, str], by: str | None = None, exclude: list | None = None
) -> list[tuple[str, float]]:
    """(time, value) of every row the selectors pick, in time order; an error when two rows share
    a time (the selectors leave more than one series)."""
    tcol = time_column(name, by)
    rows = D.select(name, {k: v for k, v in where.items() if k != tcol})
    for col, value in exclude or []:
        if col not in rows.columns:
            raise KeyError(f"dataset '{name}' has no column '{col}'{did_you_mean(col, rows.columns)}")
        rows = rows[rows[col].astype("string") != value]
    rows = rows[rows[column].notna()]
    if rows.empty:
        raise LookupError(f"{name} {where}: no rows with a value in '{column}'")
    times = rows[tcol].map(_label)
    dup = times[times.duplicated()]
    if not dup.empty:
        n = int(times.eq(dup.iloc[0]).sum())
        raise LookupError(f"{name} {where}: {n} rows for {tcol} {dup.iloc[0]}; add a selector")
    return sorted(zip(times, rows[column].astype(float)), key=lambda tv: _order(tv[0]))


def _order(t: str):
    try:
        return (0, float(t), t)
    except ValueError:
        return (1, 0.0, t)


def _window(points: list[tuple[str, float]], start: str | None, end: str | None) -> list[tuple[str, float]]:
    """Readings from `start` to `end` (a year bounds dated readings: 2025 covers 2025-02)."""

    def key(t: str, bound: str, upper: bool) -> bool:
        head = t[: len(bound)] if not _is_number(t) or not _is_number(bound) else t
        return _order(head) <= _order(bound) if upper else _order(head) >= _order(bound)

    return [(t, v) for t, v in points if (start is None or key(t, start, False)) and (end is None or key(t, end, True))]


def _is_number(t: str) -> bool:
    return _order(t)[0] == 0


def _at(points: list[tuple[str, float]], t: str, name: str) -> float:
    for time, v in points:
        if time == t:
            return v
    raise LookupError(f"{name}: no reading for {t} (readings: {', '.join(p[0] for p in points)})")


def fmt(v: float, spec: str | None) -> str:
    from explainer.content.fragments import fmt_number

    return fmt_number(v, spec)


def _short(x: float) -> str:
    """One decimal, without a trailing ".0"."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _pct(p: float) -> str:
    return f"{p:.0f}%" if abs(p) >= 10 else _short(p) + "%"


def change_phrase(first: float, last: float, spec: str | None = None, as_: str | None = None) -> str:
    """ "rose 15%, from 3,802 to 4,391"; "rose 7.4-fold" from twice the start; "rose by 589" with as=amount."""
    if spec is None and min(abs(first), abs(last)) >= 100:
        spec = ",.0f"  # a change between large values reads in whole numbers unless the author asks
    a, b = fmt(first, spec), fmt(last, spec)
    if a == b:
        return f"was unchanged at {b}"
    verb = "rose" if last > first else "fell"
    if as_ == "amount" or first == 0 or (first < 0) != (last < 0):
        return f"{verb} by {fmt(abs(last - first), spec)}, from {a} to {b}"
    if as_ not in (None, "percent"):
        raise ValueError(f"as={as_}: use as=percent or as=amount")
    if last / first >= 2 and as_ is None:
        return f"{verb} {_short(last / first)}-fold, from {a} to {b}"
    return f"{verb} {_pct(abs(last - first) / abs(first) * 100)}, from {a} to {b}"


def _runs(times: list[str], flags: list[bool]) -> list[tuple[str, str]]:
    runs, start, prev = [], None, None
    for t, on in zip(times, flags):
        if on and start is None:
            start = t
        if not on and start is not None:
            runs.append((start, prev))
            start = None
        prev = t
    if start is not None:
        runs.append((start, prev))
    return runs


def _pair(spec: Spec, by: str | None) -> list[tuple[str, float]]:
    """The difference of two series (first minus second) at the times both have; or one series."""
    a = series(spec.name, spec.column, spec.a, by, spec.exclude)
    if spec.b is None:
        return a
    b = dict(series(spec.name, spec.column, spec.b, by, spec.exclude))
    return [(t, v - b[t]) for t, v in a if t in b]


def render(m: re.Match) -> str:
    """What a trend marker says, in words and figures from the data."""
    spec = Spec.parse(m)
    try:
        return _RENDER[spec.kind](spec, m.group(0))
    except LookupError as e:
        raise LookupError(f"{m.group(0)}: {e.args[0]}") from None


def _sum(spec: Spec, what: str) -> str:
    rows = D.select(spec.name, spec.a)
    for col, value in spec.exclude:
        if col not in rows.columns:
            raise KeyError(f"dataset '{spec.name}' has no column '{col}'{did_you_mean(col, rows.columns)}")
        rows = rows[rows[col].astype("string") != value]
    if rows.empty:
        raise LookupError(f"{spec.name} {spec.a}: no rows match")
    return fmt(float(rows[spec.column].astype(float).sum()), spec.fmt)


def _ratio(spec: Spec, what: str) -> str:
    a = D.value(spec.name, spec.a, spec.column)
    b = D.value(spec.name, spec.b, spec.column)
    if b == 0:
        raise ValueError(f"{what}: the second value is 0")
    return format(a / b, (spec.fmt or ".1f").strip()) + "×"


def _change(spec: Spec, what: str) -> str:
    start, end = spec.options.get("from"), spec.options.get("to")
    if not (start and end):
        raise ValueError(f"{what} needs from= and to=")
    points = series(spec.name, spec.column, spec.a, spec.options.get("by"), spec.exclude)
    first, last = _at(points, start, spec.name), _at(points, end, spec.name)
    return change_phrase(first, last, spec.fmt, spec.options.get("as"))


def _readings(spec: Spec, what: str, least: int) -> tuple[list[tuple[str, float]], str]:
    """The readings a lead is read from (in the marker's window), and what a reading is called."""
    by = spec.options.get("by")
    points = _window(_pair(spec, by), spec.options.get("from"), spec.options.get("to"))
    if len(points) < least:
        raise LookupError(f"{what}: fewer than {least} readings in which both series have a value")
    return points, "year" if time_column(spec.name, by) == "year" else "reading"


def _led(spec: Spec, what: str) -> str:
    points, unit = _readings(spec, what, 1)
    times = [t for t, _ in points]
    runs = _runs(times, [v > 0 for _, v in points])
    if not runs:
        return f"in no {unit} from {times[0]} to {times[-1]}"
    if len(runs) == 1 and runs[0][0] != runs[0][1]:
        return f"in every {unit} from {runs[0][0]} to {runs[0][1]}"
    parts = [a if a == b else f"{a}–{b}" for a, b in runs]
    return "in " + (parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1])


def _leadchanges(spec: Spec, what: str) -> str:
    points, unit = _readings(spec, what, 2)
    changes = lead_changes(points, unit == "year")
    if not changes:
        return f"never changed hands from {points[0][0]} to {points[-1][0]}"
    count = "once" if len(changes) == 1 else "twice" if len(changes) == 2 else f"{len(changes)} times"
    return f"changed hands {count}, " + ", ".join(changes)


_RENDER = {"sum": _sum, "ratio": _ratio, "change": _change, "led": _led, "leadchanges": _leadchanges}


def lead_changes(points: list[tuple[str, float]], yearly: bool) -> list[str]:
    """When the sign of a difference turned: "in 2010" for adjacent years, else "between A and B"."""
    out, prev = [], None
    for t, v in points:
        if v == 0:
            continue
        if prev is not None and (v > 0) != (prev[1] > 0):
            adjacent = yearly and _is_number(t) and float(t) - float(prev[0]) == 1
            out.append(f"in {t}" if adjacent else f"between {prev[0]} and {t}")
        prev = (t, v)
    return out


# --- hand-typed trend words ------------------------------------------------------------------------

YEAR_RE = re.compile(r"(?<![\d.])((?:19|20)\d\d)(?![\d])")
SENTENCE_END_RE = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z])")
_WORDS = {k: re.compile(v, re.I) for k, v in settings.TREND_WORDS.items()}


def _sentences(markdown: str):
    """(offset, text) of each sentence of prose; markers and comments are masked while splitting,
    so the dots inside them split nothing."""
    masked = re.sub(r"\{\{.*?\}\}|<!--.*?-->", lambda m: "\x00" * len(m.group(0)), markdown, flags=re.S)
    for para in re.finditer(r"(?:[^\n]*[^\s][^\n]*\n?)+", masked):
        start = para.start()
        for end in SENTENCE_END_RE.finditer(para.group(0)):
            yield start, markdown[start : para.start() + end.start()]
            start = para.start() + end.end()
        yield start, markdown[start : para.end()]


def _markers_in(sentence: str) -> list[tuple[int, tuple]]:
    """(position, (dataset, column, selectors-a, selectors-b, exclude, by)) of each marker that reads a series."""
    found = []
    for m in DATA_MARKER_RE.finditer(sentence):
        where = {k: v.strip('"') for k, v in re.findall(r"([\w]+)=(\"[^\"]*\"|[^\s}|]+)", m.group(3) or "")}
        found.append((m.start(), (m.group(1), m.group(2), where, None, [], None, where)))
    for m in MARKER_RE.finditer(sentence):
        try:
            spec = Spec.parse(m)
        except (KeyError, ValueError):
            continue  # the marker itself reports this
        if spec.kind in ("change", "led", "leadchanges"):
            point = {k: v for k, v in spec.options.items() if k in ("from", "to")}
            by = spec.options.get("by")
            found.append((m.start(), (spec.name, spec.column, spec.a, spec.b, spec.exclude, by, point)))
    return found


def _contradiction(kind: str, negated: bool, ref: tuple, years: list[str]) -> str | None:
    name, column, a, b, exclude, by, point = ref
    if name not in D.dataset_names():
        return None
    try:
        tcol = time_column(name, by)
        spec = Spec("leadchanges", name, column, a, b, exclude, {}, None)
        points = _pair(spec, by) if b is not None else series(name, column, a, by, exclude)
    except (KeyError, LookupError, ValueError):
        return None
    span = sorted(years + [str(v)[:4] for k, v in point.items() if k == tcol], key=_order)
    if "from" in point or "to" in point:  # the marker's own bounds
        points = _window(points, point.get("from"), point.get("to"))
    elif len(set(span)) >= 2:  # the years the sentence spans; one year or none: the whole series
        points = _window(points, span[0], span[-1])
    if len(points) < 2:
        return None
    times = [t for t, _ in points]
    values = [v for _, v in points]
    label = f"{name}.{column} ({', '.join(f'{k}={v}' for k, v in a.items() if k != tcol)})"
    if kind == "flat" and not negated:
        first, last = values[0], values[-1]
        if first and abs(last / first - 1) > settings.FLAT_CHANGE:
            return f"{change_phrase(first, last)} from {times[0]} to {times[-1]} in {label}"
    if kind == "up and down" and not negated:
        if len(points) < 3:
            return f"{label} has only {len(points)} readings from {times[0]} to {times[-1]}: it cannot show both"
        steps = [y - x for x, y in zip(values, values[1:]) if y != x]
        if all(s > 0 for s in steps) or all(s < 0 for s in steps):
            direction = "rose" if steps and steps[0] > 0 else "fell"
            return f"{label} only {direction} from {times[0]} to {times[-1]}"
    if kind == "changed hands":
        if b is None and not any(w in column.lower() for w in settings.LEAD_COLUMN_WORDS):
            return None  # one series of levels says nothing of who leads
        changes = lead_changes(points, tcol == "year")
        if negated and changes:
            return f"the lead in {label} changed hands {', '.join(changes)}"
        if not negated and not changes:
            return f"the lead in {label} never changed hands from {times[0]} to {times[-1]} in these data"
    return None


def check_words(markdown: str, where: str, first_line: int = 1) -> list[Problem]:
    """A problem for each hand-typed trend word that the series of the nearest marker in its
    sentence contradicts, over the years the sentence names."""
    problems = []
    negation = re.compile(settings.TREND_NEGATIONS, re.I)
    for offset, sentence in _sentences(markdown):
        refs = _markers_in(sentence)
        if not refs:
            continue
        prose_only = re.sub(r"\{\{.*?\}\}", " ", sentence, flags=re.S)
        years = YEAR_RE.findall(prose_only)
        for kind, regex in _WORDS.items():
            for w in regex.finditer(sentence):
                before = sentence[: w.start()]
                if before.count("{{") > before.count("}}"):
                    continue  # inside a marker
                negated = bool(negation.search(before))
                _, ref = min(refs, key=lambda r: abs(r[0] - w.start()))
                why = _contradiction(kind, negated, ref, years)
                if why:
                    line = first_line + markdown.count("\n", 0, offset + w.start())
                    problems.append(Problem(where, line, "", f"'{w.group(0)}' but the data say: {why}", "trend"))
    return problems
