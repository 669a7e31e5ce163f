"""The claims ledger, evaluated: what the essay says, what the data say, and the verdict.

One rule set decides every verdict that a figure can settle (`decide`), stated in plain words on
"How we checked" from the vocabularies in `settings.py`:

- The essay's figure is read as it is written (`figure.reading`): "about X" (the default) holds
  when the data round to X at the precision X is written, or are within 2% of it; "over X" is a
  floor, "under X" a ceiling, and data far beyond a floor or ceiling make the claim understate
  (partly supported). Otherwise within 10% is close, and beyond it a different figure.
- A year slip is found, not typed: when the figure does not hold in the essay's year (or that
  year is not in the data), the other years of the same series are searched, and a figure that
  holds in another year is a *different year*, never *matches*.
- A right number described wrongly is capped (`cap`, at most *partly supported*), and a
  per-claim tolerance replaces the 2%; each needs its written reason (`cap_reason`,
  `tolerance_reason`), shown on the card.
- Claims worded without a number are checked by what they say (`OPS`): the highest in its
  series, more than the rest combined, rose every year, a share under a stated threshold.
- A written verdict is checked against the same rules (`written_problems`): a verdict that
  compares figures needs the figure the sources give (`found`), and must be the one the rules
  give for it; a figure no source gives is *not found*.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from explainer.core import data as D
from explainer.core import settings
from explainer.core.problems import did_you_mean
from explainer.core.project import Project
from explainer.core.records import Claim, Compare, Selector
from explainer.core.settings import CLOSE, DEFAULT_TOLERANCE

RANK = settings.names(settings.VERDICTS)  # the scale, best first


class EvidenceError(Exception):
    """A claim's evidence does not resolve to data."""


@dataclass(frozen=True)
class Op:
    """An operation a computed claim's `compare.op` may name: the ledger schema's enum and the
    rules both read this table."""

    name: str
    meaning: str  # in plain words; "How we checked" lists the worded ones
    # The figure the data give, from the selectors' values in order (None: a claim worded without a
    # number, checked by what it says and never given a figure).
    combine: Callable[[list[float]], float] | None = None
    pair: bool = False  # takes exactly two selectors, the second dividing the first


def _divide(percent: bool) -> Callable[[list[float]], float]:
    def divide(values: list[float]) -> float:
        if values[1] == 0:
            raise EvidenceError("divides by a zero value")
        return values[0] / values[1] * (100 if percent else 1)

    return divide


OPS: dict[str, Op] = {
    op.name: op
    for op in (
        Op("value", "the one value selected", lambda v: v[0]),
        Op("ratio", "the first value divided by the second", _divide(False), pair=True),
        Op("share", "the first value as a percentage of the second", _divide(True), pair=True),
        Op("sum", "the values added together", sum),
        Op("highest", 'the value is the highest in its series ("more than ever before")'),
        Op("rest_combined", "the first value is more than all the others added together"),
        Op("rose_every_year", "the series rose from each year to the next"),
        Op("below", 'a share is under a threshold the card states ("a small share")'),
    )
}
NUMBER_OPS = [name for name, op in OPS.items() if op.combine is not None]  # give the figure a claim states
WORDED = [name for name, op in OPS.items() if op.combine is None]  # claims worded without a number


@dataclass(frozen=True)
class Result:
    claim: Claim
    verdict: str
    data_value: float | None  # what the data give, combined by the claim's operation
    data_year: str | None
    computed: bool
    how: str = ""  # how the rules reached the verdict, in plain words (shown on the card)

    @property
    def id(self) -> str:
        return self.claim.id

    @property
    def how_checked(self) -> str:
        """How the verdict was reached, as cards, the Fact-check table and the ledger's CSV say it."""
        return "checked against the data" if self.computed else "judged from the sources"


# --- the rules ------------------------------------------------------------------------------


def decimals(value: float | int | str) -> int:
    """How many decimals the essay writes its figure with ("4.4" → 1, "6" → 0, "0.03" → 2)."""
    exp = Decimal(str(value)).normalize().as_tuple().exponent if "." in str(value) else 0
    return max(0, -int(exp))


def rounds_to(data: float, essay: float, places: int) -> bool:
    """The data, rounded as the essay writes its figure, give the essay's figure."""
    return abs(data - essay) <= 0.5 * 10**-places + 1e-9 * max(1.0, abs(essay))


def _off(essay: float, data: float) -> float:
    return abs(essay - data) / abs(data) if data else float("inf")


def judge(
    essay: float, data: float, reading: str = "about", tolerance: float = DEFAULT_TOLERANCE, places: int | None = None
) -> tuple[str, str]:
    """(verdict, how) for one figure against one data value, year aside."""
    places = decimals(essay) if places is None else places
    near = _off(essay, data) <= tolerance  # a floor or ceiling allows no rounding, only the 2%
    holds = rounds_to(data, essay, places) or near
    if reading == "over" and (data >= essay or near):
        if data > essay * (1 + CLOSE):
            return (
                "partly supported",
                f"the essay's floor is true but understates: the data are {_pct(data, essay)} higher",
            )
        return "matches", ""
    if reading == "under" and (data <= essay or near):
        if data < essay * (1 - CLOSE):
            return (
                "partly supported",
                f"the essay's ceiling is true but overstates: the data are {_pct(data, essay)} lower",
            )
        return "matches", ""
    if reading == "about" and holds:
        return "matches", ""
    if _off(essay, data) <= max(CLOSE, tolerance):
        return "close", ""
    return "different figure", ""


def _pct(data: float, essay: float) -> str:
    return f"{abs(data - essay) / abs(essay) * 100:.0f}%"


def capped(verdict: str, cap: str | None) -> str:
    if cap and RANK.index(verdict) < RANK.index(cap):
        return cap
    return verdict


# --- evidence -------------------------------------------------------------------------------


def _resolve(sel: Selector, project: Project | None) -> float:
    name = sel.dataset
    if name not in D.dataset_names(project):
        known = did_you_mean(name, D.dataset_names(project))
        raise EvidenceError(f"evidence names dataset '{name}', which does not exist{known}")
    try:
        return D.value(name, sel.where, sel.column, project)
    except KeyError as e:
        raise EvidenceError(f"evidence in '{name}': {e.args[0]}") from None
    except LookupError as e:
        raise EvidenceError(f"evidence {e}") from None


def combine(op: str, values: list[float]) -> float:
    """The figure an operation gives from its selectors' values (`OPS`)."""
    spec = OPS[op]
    if spec.pair and len(values) != 2:
        raise EvidenceError(f"'{op}' needs exactly two selectors, got {len(values)}")
    try:
        return spec.combine(values)
    except EvidenceError as e:
        raise EvidenceError(f"'{op}' {e}") from None


def _year_key(sel: Selector) -> str | None:
    return next((k for k in settings.TIME_COLUMNS if k in sel.where), None)


def _at_year(sels: tuple[Selector, ...], year: Any) -> list[Selector]:
    out = []
    for sel in sels:
        key = _year_key(sel)
        out.append(replace(sel, where={**sel.where, key: year}) if key else sel)
    return out


def _series_years(sels: tuple[Selector, ...], project: Project | None) -> list[str]:
    """The years every selector's series has (the same rows with any year), in order."""
    years: set[str] | None = None
    for sel in sels:
        key = _year_key(sel)
        if key is None:
            return []
        rest = {k: v for k, v in sel.where.items() if k != key}
        try:
            found = set(D.select(sel.dataset, rest, project)[key].astype(str))
        except KeyError:
            return []
        years = found if years is None else years & found
    return sorted(years or [])


def _value_at(op: str, sels: tuple[Selector, ...], year: Any, project: Project | None) -> float | None:
    try:
        return combine(op, [_resolve(s, project) for s in _at_year(sels, year)])
    except EvidenceError:
        return None


# --- evaluation -----------------------------------------------------------------------------


def evaluate(claim: Claim, project: Project | None = None) -> Result:
    """A claim's verdict, on the data of `project` (else the process's project)."""
    cmp = claim.compare
    if not cmp:
        return Result(claim, claim.verdict, None, None, computed=False, how=_written_how(claim))
    if cmp.op in WORDED:
        return _worded(claim, cmp, project)
    return _figure(claim, cmp, project)


def _figure(claim: Claim, cmp: Compare, project: Project | None) -> Result:
    fig = claim.figure
    try:
        essay = float(fig.value)
    except (AttributeError, TypeError, ValueError):
        raise EvidenceError("a computed claim needs a numeric figure.value") from None
    op, sels = cmp.op, cmp.of
    reading = fig.reading
    tolerance = DEFAULT_TOLERANCE if cmp.tolerance is None else cmp.tolerance
    places = decimals(fig.value)
    data_value = combine(op, [_resolve(s, project) for s in sels])
    key = _year_key(sels[0])
    home = cmp.year if cmp.year is not None else sels[0].where.get(key) if key else None
    essay_year = fig.year
    # The essay's own year, when the series has it, is the year the figure is judged in.
    if essay_year is not None and key and str(essay_year) != str(home):
        at_essay = _value_at(op, sels, essay_year, project)
        if at_essay is not None:
            home, data_value = essay_year, at_essay
    verdict, how = judge(essay, data_value, reading, tolerance, places)
    wrong_year = essay_year is not None and home is not None and str(essay_year) != str(home)
    if verdict == "matches" and wrong_year:
        verdict, how = "different year", f"The figure is the data's for {home}, not {essay_year}."
    elif verdict in ("close", "different figure") and key:
        # A year slip is found, not typed: does the figure hold in another year of the same series?
        for y in _series_years(sels, project):
            if str(y) in (str(home), str(essay_year)):
                continue
            v = _value_at(op, sels, y, project)
            if v is not None and judge(essay, v, reading, settings.YEAR_SEARCH_MARGIN, places)[0] == "matches":
                verdict, data_value = "different year", v
                how = f"The figure is the data's for {y}, not {essay_year or home}."
                home = y
                break
    notes = [how] if how else []
    if cmp.tolerance is not None:
        reason = cmp.tolerance_reason or "no reason given"
        notes.append(f"Compared within {tolerance * 100:g}% rather than 2%, because {reason}")
    final = capped(verdict, cmp.cap)
    if final != verdict:
        notes.append(f"Held at {final}: {cmp.cap_reason or 'no reason given'}")
    if claim.year_slip and final == "different year":
        notes.append(f"The same slip of year as {claim.year_slip}.")
    return Result(claim, final, data_value, None if home is None else str(home), computed=True, how=_sentences(notes))


def _worded(claim: Claim, cmp: Compare, project: Project | None) -> Result:
    """A claim worded without a number: checked by what it says, never given a figure."""
    op, sels = cmp.op, cmp.of
    first = sels[0]
    key = _year_key(first)
    if op == "highest":
        if key is None:
            raise EvidenceError("'highest' needs a selector with a year")
        value = _resolve(first, project)
        rest = {k: v for k, v in first.where.items() if k != key}
        series = _series(first.dataset, rest, key, first.column, project)
        top_year, top = max(series, key=lambda yv: yv[1])
        holds = value >= top
        how = (
            f"{_num(value)} in {first.where[key]} is the highest of the {len(series)} years in the series "
            f"({series[0][0]} to {series[-1][0]})."
            if holds
            else f"The highest in the series is {_num(top)}, in {top_year}, not {_num(value)} in {first.where[key]}."
        )
        return _worded_result(claim, holds, value, first.where[key], how)
    if op == "rest_combined":
        if len(sels) < 2:
            raise EvidenceError("'rest_combined' needs the first value and at least one other")
        values = [_resolve(s, project) for s in sels]
        holds = values[0] > sum(values[1:])
        others = [", ".join(str(v) for k, v in s.where.items() if first.where.get(k) != v) for s in sels[1:]]
        named = f" ({', '.join(o for o in others if o)})" if any(others) else ""
        how = f"{_num(values[0])} against {_num(sum(values[1:]))} for the others combined{named}."
        return _worded_result(claim, holds, values[0], first.where.get(key) if key else None, how)
    if op == "rose_every_year":
        if key is None or key not in first.where:
            raise EvidenceError("'rose_every_year' needs a selector with a first year")
        last = cmp.to
        rest = {k: v for k, v in first.where.items() if k != key}
        series = [
            (y, v)
            for y, v in _series(first.dataset, rest, key, first.column, project)
            if str(y) >= str(first.where[key]) and (last is None or str(y) <= str(last))
        ]
        if len(series) < 2:
            raise EvidenceError("'rose_every_year' needs at least two years of data")
        falls = [str(b[0]) for a, b in zip(series, series[1:]) if b[1] <= a[1]]
        holds = not falls
        how = (
            f"It rose every year from {series[0][0]} ({_num(series[0][1])}) to {series[-1][0]} ({_num(series[-1][1])})."
            if holds
            else f"It did not rise in {', '.join(falls)}."
        )
        return _worded_result(claim, holds, series[-1][1], series[-1][0], how)
    # below: a small share, under the threshold the card states
    if cmp.threshold is None:
        raise EvidenceError("'below' needs a threshold (in percent) for the card to state")
    share = combine("share", [_resolve(s, project) for s in sels])
    holds = share < float(cmp.threshold)
    how = f"A share of {share:.1f}%, {'under' if holds else 'not under'} the {cmp.threshold:g}% we take as small."
    return _worded_result(claim, holds, share, first.where.get(key) if key else None, how)


def _series(
    dataset: str, where: dict[str, Any], key: str, column: str, project: Project | None
) -> list[tuple[str, float]]:
    rows = D.select(dataset, where, project)
    if rows.empty:
        raise EvidenceError(f"evidence {dataset} {where}: no rows")
    if rows[key].astype(str).duplicated().any():
        raise EvidenceError(f"evidence {dataset} {where}: more than one row per {key}; name the series")
    return sorted((str(y), float(v)) for y, v in zip(rows[key], rows[column]) if v == v)


def _worded_result(claim: Claim, holds: bool, value: float, year: Any, how: str) -> Result:
    cmp = claim.compare
    verdict = "matches" if holds else "does not hold"
    final = capped(verdict, cmp.cap)
    notes = [how] + ([f"Held at {final}: {cmp.cap_reason or 'no reason given'}"] if final != verdict else [])
    return Result(claim, final, value, None if year is None else str(year), True, _sentences(notes))


def _num(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:,.2f}".rstrip("0").rstrip(".")


def _sentences(parts: list[str]) -> str:
    out = []
    for p in parts:
        p = p.strip()
        if p:
            p = p[0].upper() + p[1:]
            out.append(p if p.endswith(".") else p + ".")
    return " ".join(out)


# --- written verdicts, held to the same rules ---------------------------------------------------


def _written_how(claim: Claim) -> str:
    found = claim.found
    return _sentences([f"Held at {claim.verdict}: {found.cap_reason}"]) if found and found.cap_reason else ""


def written_decision(claim: Claim) -> tuple[str, str] | None:
    """The verdict the rules give a written claim that states the source's figure (`found`)."""
    fig, found = claim.figure, claim.found
    if not fig or not found:
        return None
    essay, data = float(fig.value), float(found.value)
    verdict, how = judge(essay, data, fig.reading, DEFAULT_TOLERANCE, decimals(fig.value))
    ey, fy = fig.year, found.year
    if verdict == "matches" and ey is not None and fy is not None and str(ey) != str(fy):
        verdict, how = "different year", f"the sources give it for {fy}, not {ey}"
    return capped(verdict, found.cap), how


def written_problems(claim: Claim) -> list[tuple[str, str]]:
    """(message, rule) for a written verdict the rules contradict, or a cap or tolerance without its reason."""
    out: list[tuple[str, str]] = []
    cmp = claim.compare
    for field, reason in (("cap", "cap_reason"), ("tolerance", "tolerance_reason")):
        for block, name in ((cmp, "compare"), (claim.found, "found")):
            if getattr(block, field, None) is not None and not str(getattr(block, reason, None) or "").strip():
                out.append((f"'{name}.{field}' needs '{name}.{reason}': the card must say why", "exception-reason"))
    if cmp:
        return out
    verdict, fig, found = claim.verdict, claim.figure, claim.found
    numeric = fig is not None and _is_number(fig.value)
    if verdict in settings.NUMBER_VERDICTS and numeric and not found:
        out.append(
            (
                f"written '{verdict}', but no figure from the sources is given ('found'): "
                "by the rules, a figure no source gives is 'not found'",
                "verdict-rule",
            )
        )
    if found and verdict == "not found":
        out.append(("written 'not found', but 'found' gives a source's figure", "verdict-rule"))
    if found and not numeric:
        out.append(("'found' needs the essay's figure (figure.value) to compare with", "verdict-rule"))
    if found and numeric:
        decided = written_decision(claim)
        if decided and decided[0] != verdict:
            why = f" ({decided[1]})" if decided[1] else ""
            out.append((f"written '{verdict}', but the rules give '{decided[0]}'{why}", "verdict-rule"))
    return out


def _is_number(v: Any) -> bool:
    try:
        float(v)
        return not isinstance(v, bool)
    except (TypeError, ValueError):
        return False


def datasets_of(claim: Claim) -> set[str]:
    """The datasets a claim is checked against (none for a claim judged from the sources)."""
    return {sel.dataset for sel in claim.compare.of} if claim.compare else set()


def sources_of(claim: Claim, project: Project | None = None) -> list[str]:
    """A claim's sources: its evidence rows' (derived) first, then any it lists."""
    out: list[str] = []
    for sel in claim.compare.of if claim.compare else ():
        row = D.select(sel.dataset, sel.where, project)
        out += [s for s in row["source"].astype(str) if s not in out]
    out += [s for s in claim.sources if s not in out]
    return out


def evaluate_all(project: Project | None = None) -> list[Result]:
    """Every claim of the ledger of `project` (else the process's project), on its data."""
    return [evaluate(c, project) for c in D.claims(project)]
