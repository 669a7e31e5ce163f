"""The claims ledger, evaluated: what the essay says, what the data say, and the verdict.

A claim with `compare` is checked by code: its evidence selectors pick dataset values,
an operation (value, ratio, share, sum) combines them, and the essay's figure is compared
with a stated relative tolerance. Any other claim carries a written verdict and finding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from explainer import data as D
from explainer import settings
from explainer.settings import CLOSE, DEFAULT_TOLERANCE

YEAR_KEYS = ("year", "period", "date")


class EvidenceError(Exception):
    """A claim's evidence does not resolve to data."""


@dataclass(frozen=True)
class Result:
    claim: dict[str, Any]
    verdict: str
    data_value: float | None  # what the data give, combined by the claim's operation
    data_year: str | None
    computed: bool

    @property
    def id(self) -> str:
        return self.claim["id"]


def _resolve(sel: dict[str, Any]) -> float:
    name = sel["dataset"]
    if name not in D.dataset_names():
        raise EvidenceError(f"evidence names dataset '{name}', which does not exist")
    try:
        return D.value(name, sel["where"], sel["column"])
    except KeyError as e:
        raise EvidenceError(f"evidence in '{name}': {e.args[0]}") from None
    except LookupError as e:
        raise EvidenceError(f"evidence {e}") from None


def combine(op: str, values: list[float]) -> float:
    if op == "value":
        return values[0]
    if op == "sum":
        return sum(values)
    if len(values) != 2:
        raise EvidenceError(f"'{op}' needs exactly two selectors, got {len(values)}")
    if values[1] == 0:
        raise EvidenceError(f"'{op}' divides by a zero value")
    return values[0] / values[1] * (100 if op == "share" else 1)


def judge(essay: float, data: float, tolerance: float, same_year: bool) -> str:
    off = abs(essay - data) / abs(data) if data else float("inf")
    if off <= tolerance:
        return "matches" if same_year else "different year"
    if off <= max(CLOSE, 3 * tolerance):
        return "close" if same_year else "different year"
    return "different figure"


# A claim's `compare.cap` bounds its computed verdict from above when the figure matches but the
# essay describes it wrongly (its scope, say), explained in its note. The scale runs best first.
RANK = settings.names(settings.VERDICTS)


def capped(verdict: str, cap: str | None) -> str:
    if cap and RANK.index(verdict) < RANK.index(cap):
        return cap
    return verdict


def evaluate(claim: dict[str, Any]) -> Result:
    cmp = claim.get("compare")
    if not cmp:
        return Result(claim, claim["verdict"], None, None, computed=False)
    values = [_resolve(sel) for sel in cmp["of"]]
    data_value = combine(cmp["op"], values)
    data_year = cmp.get("year")
    if data_year is None:
        where = cmp["of"][0]["where"]
        data_year = next((where[k] for k in YEAR_KEYS if k in where), None)
    essay_year = (claim.get("figure") or {}).get("year")
    same_year = essay_year is None or data_year is None or str(essay_year) == str(data_year)
    if claim.get("year_slip"):
        same_year = True  # the slip is counted once, on the claim it names; here the figure is judged
    try:
        essay_value = float(claim["figure"]["value"])
    except (KeyError, TypeError, ValueError):
        raise EvidenceError("a computed claim needs a numeric figure.value") from None
    verdict = capped(judge(essay_value, data_value, cmp.get("tolerance", DEFAULT_TOLERANCE), same_year), cmp.get("cap"))
    return Result(claim, verdict, data_value, None if data_year is None else str(data_year), computed=True)


def datasets_of(claim: dict[str, Any]) -> set[str]:
    """The datasets a claim is checked against (none for a claim judged from the sources)."""
    return {sel["dataset"] for sel in (claim.get("compare") or {}).get("of", [])}


def sources_of(claim: dict[str, Any]) -> list[str]:
    """A claim's sources: its evidence rows' (derived) first, then any it lists."""
    out: list[str] = []
    for sel in (claim.get("compare") or {}).get("of", []):
        row = D.select(sel["dataset"], sel["where"])
        out += [s for s in row["source"].astype(str) if s not in out]
    out += [s for s in claim.get("sources", []) if s not in out]
    return out


def evaluate_all() -> list[Result]:
    return [evaluate(c) for c in D.claims()]
