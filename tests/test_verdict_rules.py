"""Verdicts by rule: one function decides every verdict a figure can settle, and check-data holds
written verdicts, caps and tolerances to it. Engine behaviour is tested on tests/fixtures/mini;
the live ledger is only recomputed, never asserted figure by figure."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import check_data

from explainer.core import claims as C
from explainer.core import data as D
from explainer.core import settings
from explainer.core.project import current_project
from explainer.core.records import Claim

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "fixtures" / "mini"


@pytest.fixture
def mini(tmp_path, monkeypatch):
    """A scratch copy of the mini explainer's data, read by the engine for the test."""
    copy = tmp_path / "data"
    shutil.copytree(MINI / "data", copy)
    monkeypatch.setenv(settings.ENV_DATA, str(copy))
    return copy


def _results() -> dict[str, C.Result]:
    return {r.id: r for r in C.evaluate_all()}


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _check(data: Path) -> str:
    """check-data on the fixture with a copy of its data, in-process (conftest.check_data)."""
    status, out = check_data(MINI, EXPLAINER_DATA_DIR=str(data))
    assert status == 1, out
    return out.replace(str(data), "data")


def _line(path: Path, needle: str, after: str = "") -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, ln in enumerate(lines) if after in ln) if after else 0
    return next(i for i, ln in enumerate(lines[start:], start=start + 1) if needle in ln)


# --- the rule, figure against figure ----------------------------------------------------------


@pytest.mark.parametrize(
    "essay,data,reading,verdict",
    [
        (6, 6.31, "about", "matches"),  # "about 6%": 6.31 rounds to 6
        (9, 8.63, "about", "matches"),  # "nearly 9x": 8.63 rounds to 9
        (4.4, 4.2, "about", "close"),  # "4.4x" compares at one decimal: 4.2 is not 4.4
        (2.6, 2.3, "about", "different figure"),
        (295000, 294000, "about", "matches"),  # within 2%
        (100, 95, "about", "close"),
        (10, 20.92, "over", "partly supported"),  # a floor cleared by far: true, but it understates
        (4, 4.0, "over", "matches"),
        (650, 660, "over", "matches"),
        (10, 9.5, "over", "close"),  # under the floor
        (10, 5, "over", "different figure"),
        (10, 8, "under", "partly supported"),
        (10, 10.4, "under", "close"),
    ],
)
def test_a_figure_is_read_as_the_essay_writes_it(essay, data, reading, verdict):
    assert C.judge(essay, data, reading)[0] == verdict


def test_precision_is_the_precision_written():
    assert C.decimals(4.4) == 1 and C.decimals(6) == 0 and C.decimals(0.03) == 2 and C.decimals(285.9) == 1
    assert C.rounds_to(4.449, 4.4, 1) and not C.rounds_to(4.46, 4.4, 1)


def test_a_cap_only_lowers_a_verdict():
    assert C.capped("matches", "partly supported") == "partly supported"
    assert C.capped("different figure", "partly supported") == "different figure"


# --- the rules on the mini explainer's ledger ----------------------------------------------------


def test_the_mini_ledger_is_decided_by_the_rules(mini):
    r = _results()
    assert r["W1"].verdict == "matches"
    # A year slip is found in another year of the same series, never typed.
    assert (r["W2"].verdict, r["W2"].data_year, r["W2"].data_value) == ("different year", "2023", 100)
    assert "2023, not 2024" in r["W2"].how
    # "over 100" against 120: a floor the data clear by 20%.
    assert r["W3"].verdict == "partly supported" and "understates" in r["W3"].how
    # A right number described wrongly, held at partly supported with its reason shown.
    assert r["W4"].verdict == "partly supported" and "Atlantis's alone" in r["W4"].how
    for cid in ("W5", "W6", "W7", "W8"):
        assert r[cid].verdict == "matches", (cid, r[cid].how)
    assert "15%" in r["W8"].how, "a small share names the threshold it is held to"


def test_claims_worded_without_a_number_can_fail(mini):
    _edit(mini / "widgets.csv", "2024,Atlantis,120", "2024,Atlantis,95")
    _edit(mini / "widgets.csv", "2024,Mu,20", "2024,Mu,80")
    r = _results()
    assert r["W5"].verdict == "does not hold" and "100, in 2023" in r["W5"].how
    assert r["W6"].verdict == "does not hold"  # 95 against 30 + 80
    assert r["W7"].verdict == "does not hold" and "2024" in r["W7"].how
    assert r["W8"].verdict == "does not hold"


def test_the_essays_own_year_is_preferred_when_the_series_has_it(mini):
    _edit(
        mini / "claims.yaml",
        "figure: {value: 100, unit: widgets, year: 2024}",
        "figure: {value: 100, unit: widgets, year: 2023}",
    )
    assert _results()["W2"].verdict == "matches"


def test_a_card_shows_how_the_rule_was_applied(mini):
    from explainer.content import fragments as pages

    r = _results()
    assert "Atlantis's alone" in pages.what_data_say(r["W4"])
    assert "2023, not 2024" in pages.what_data_say(r["W2"])
    assert pages.what_data_say(r["W5"]).startswith("120 in 2024 is the highest")
    assert pages.essay_figure(r["W3"].claim).startswith("over ")


# --- check-data: exceptions need reasons, written verdicts follow the rules ----------------------


def test_a_cap_without_its_reason_fails_with_file_and_line(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(MINI / "data", data)
    _edit(data / "claims.yaml", "    cap_reason: the 120 widgets are Atlantis's alone, not the world's\n", "")
    line = _line(data / "claims.yaml", "op: value", after="id: W4")
    out = _check(data)
    assert f"data/claims.yaml:{line}: claim W4 field 'compare': 'compare.cap' needs 'compare.cap_reason'" in out, out
    assert "[exception-reason]" in out


def test_a_tolerance_without_its_reason_fails(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(MINI / "data", data)
    _edit(
        data / "claims.yaml",
        "  compare:\n    op: value\n    of:",
        "  compare:\n    op: value\n    tolerance: 0.06\n    of:",
    )
    assert "'compare.tolerance' needs 'compare.tolerance_reason'" in _check(data)


def test_a_written_verdict_the_rules_contradict_fails(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(MINI / "data", data)
    claims = data / "claims.yaml"
    claims.write_text(
        claims.read_text(encoding="utf-8")
        + """
- id: W9
  section: index
  quote: "Lemuria made 500 widgets in 2024"
  figure: {value: 500, unit: widgets, year: 2024}
  verdict: different figure
  finding: No census gives it.
  sources: [widget-census-2024]

- id: W10
  section: index
  quote: "Mu made 20 widgets in 2024"
  figure: {value: 20, unit: widgets, year: 2024}
  found: {value: 20, year: 2023}
  verdict: matches
  finding: The census gives 20.
  sources: [widget-census-2024]
""",
        encoding="utf-8",
    )
    out = _check(data)
    w9 = _line(claims, "id: W9")
    assert re.search(
        rf"data/claims.yaml:{w9}: claim W9: written 'different figure', but no figure .*'not found'", out
    ), out
    assert "claim W10: written 'matches', but the rules give 'different year'" in out, out
    assert out.count("[verdict-rule]") == 2


def test_a_named_year_slip_must_be_one_the_rules_find(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(MINI / "data", data)
    _edit(
        data / "claims.yaml",
        '  quote: "Atlantis made over 100 widgets in 2024"\n',
        '  quote: "Atlantis made over 100 widgets in 2024"\n  year_slip: W2\n',
    )
    assert "claim W3 field 'year_slip': names the same slip of year as W2, but the rules find no slip here" in _check(
        data
    )


# --- the live ledger, recomputed ---------------------------------------------------------------


def _recompute(claim: Claim) -> str:
    """The verdict recomputed from the CSV files with pandas, independently of the engine's code:
    the rule as "How we checked" states it, for figures read "about" or "over"."""
    cmp, fig = claim.compare, claim.figure
    values = []
    for sel in cmp.of:
        df = pd.read_csv(current_project().data / f"{sel.dataset}.csv", dtype=str)
        for k, v in sel.where.items():
            df = df[df[k] == str(v)]
        assert len(df) == 1, (claim.id, sel)
        values.append(float(df.iloc[0][sel.column]))
    data = {"value": values[0], "ratio": values[0] / values[-1], "share": 100 * values[0] / values[-1]}.get(
        cmp.op, sum(values)
    )
    essay = float(fig.value)
    written = str(fig.value)
    places = len(written.split(".")[1]) if "." in written else 0
    holds = abs(round(data, places) - essay) < 1e-9 or abs(data - essay) / data <= 0.02
    reading = fig.reading
    if reading == "over" and (data >= essay or abs(data - essay) / data <= 0.02):
        verdict = "partly supported" if data > essay * 1.1 else "matches"
    elif holds:
        verdict = "matches"
    else:
        verdict = "close" if abs(data - essay) / data <= 0.10 else "different figure"
    year_key = next((k for k in settings.TIME_COLUMNS if k in cmp.of[0].where), None)
    data_year = str(cmp.year if cmp.year is not None else cmp.of[0].where.get(year_key))
    if verdict == "matches" and fig.year is not None and str(fig.year) != data_year:
        verdict = "different year"
    order = settings.names(settings.VERDICTS)
    if cmp.cap and order.index(verdict) < order.index(cmp.cap):
        verdict = cmp.cap
    return verdict


def test_every_verdict_in_the_ledger_is_the_one_the_rules_give():
    for claim in D.claims():
        result = C.evaluate(claim)
        assert not C.written_problems(claim), (claim.id, C.written_problems(claim))
        cmp = claim.compare
        if cmp and cmp.op in C.NUMBER_OPS and result.verdict != "different year":
            assert result.verdict == _recompute(claim), claim.id
        elif cmp and cmp.op in C.NUMBER_OPS:
            # A slip of year: the figure holds in the year the rules found, and not in the essay's.
            assert str(result.data_year) != str(claim.figure.year)
            assert C.judge(float(claim.figure.value), result.data_value, claim.figure.reading)[0] == "matches"


def test_every_worded_check_in_the_ledger_is_recomputed():
    """Claims worded without a number, recomputed from the CSV files with pandas."""
    order = settings.names(settings.VERDICTS)
    for claim in D.claims():
        cmp = claim.compare
        if cmp is None or cmp.op != "rest_combined":
            continue
        values = []
        for sel in cmp.of:
            df = pd.read_csv(current_project().data / f"{sel.dataset}.csv", dtype=str)
            for k, v in sel.where.items():
                df = df[df[k] == str(v)]
            values.append(float(df.iloc[0][sel.column]))
        verdict = "matches" if values[0] > sum(values[1:]) else "does not hold"
        if cmp.cap and order.index(verdict) < order.index(cmp.cap):
            verdict = cmp.cap
        assert C.evaluate(claim).verdict == verdict, claim.id


def test_no_exception_is_left_without_its_reason_on_the_card():
    for claim in D.claims():
        cmp = claim.compare
        for field in ("cap", "tolerance"):
            if getattr(cmp, field, None) is not None:
                assert getattr(cmp, f"{field}_reason"), claim.id
                reason = " ".join(getattr(cmp, f"{field}_reason").split())
                assert reason in " ".join(C.evaluate(claim).how.split()), claim.id


def test_a_neighbouring_years_similar_value_is_not_taken_for_a_slip(mini):
    """In another year the figure must hold as written (or within half a percent), not within 2%."""
    _edit(
        mini / "claims.yaml",
        "figure: {value: 100, unit: widgets, year: 2024}",
        "figure: {value: 101, unit: widgets, year: 2024}",
    )
    assert _results()["W2"].verdict == "different figure"


def test_a_claim_worded_without_a_number_can_be_capped_with_its_reason(mini):
    _edit(
        mini / "claims.yaml",
        "    op: rest_combined\n",
        "    op: rest_combined\n    cap: partly supported\n    cap_reason: only one kind of widget was counted\n",
    )
    r = _results()["W6"]
    assert r.verdict == "partly supported" and "only one kind of widget was counted" in r.how
    assert "(Lemuria, Mu)" in r.how, "the others are named"


def test_how_we_checked_and_the_cards_show_every_exception_with_its_reason(site):
    """No unstated exceptions: each cap or wider margin the ledger declares is listed, with its
    reason, on How we checked and on its own card."""
    import html

    def text(page: Path) -> str:
        return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))).split())

    checked = text(site / "how-we-checked" / "index.html")
    for claim in D.claims():
        for block in (claim.compare, claim.found):
            for field in ("cap", "tolerance"):
                if getattr(block, field, None) is None:
                    continue
                reason = " ".join(getattr(block, f"{field}_reason").split())
                assert f"{claim.id}:" in checked and reason in checked, claim.id
                stem = claim.section
                page = text(site / ("index.html" if stem == "index" else f"{stem}/index.html"))
                assert reason in page, f"{claim.id}'s card does not give its reason"
