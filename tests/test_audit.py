"""`make audit` names, for a page under its performance budget, the metric that held it back."""

from __future__ import annotations

import pytest

from explainer.devtools import audit

REFS = [
    ("first-contentful-paint", "FCP", 10),
    ("largest-contentful-paint", "LCP", 25),
    ("total-blocking-time", "TBT", 30),
    ("cumulative-layout-shift", "CLS", 25),
    ("speed-index", "SI", 10),
]


def lhr(perf: float, **scores: tuple[float, str]) -> dict:
    """A Lighthouse result with these metric scores (acronym: (score, displayValue)); others score 1."""
    return {
        "categories": {
            "performance": {
                "score": perf,
                "auditRefs": [{"id": i, "weight": w, "acronym": a} for i, a, w in REFS]
                + [{"id": "dom-size", "weight": 0}],
            },
            **{c: {"score": 1} for c in ("accessibility", "best-practices", "seo")},
        },
        "audits": {
            i: {"score": scores.get(a, (1, "0"))[0], "displayValue": scores.get(a, (1, "0"))[1]} for i, a, _ in REFS
        }
        | {"dom-size": {"score": 0, "displayValue": "3,869 elements"}},
    }


def test_the_metric_that_lost_most_points_is_named_with_its_value():
    # LCP scores lower than TBT, but TBT weighs more: 30 x 0.16 = 4.8 points against 25 x 0.1 = 2.5.
    result = lhr(0.92, TBT=(0.84, "260 ms"), LCP=(0.9, "2.6 s"))
    metric, value, lost = audit.held_back(result)
    assert (metric, value) == ("TBT", "260 ms") and lost == pytest.approx(4.8)
    assert audit.held_back_text(result) == "TBT 260 ms, -4.8"
    # A diagnostic of weight 0 (the DOM size) never holds a page back, and a full score names nothing.
    assert audit.held_back(lhr(1.0)) is None


def test_the_report_table_says_it_for_pages_under_the_budget_only():
    rows = [("/", audit.scores(lhr(0.99))), ("/sources/", audit.scores(lhr(0.9)))]
    lines = audit.table(rows, {"/sources/": "TBT 260 ms, -4.8"})
    assert lines[0].endswith("held back by")
    assert lines[2].split()[-1] == "100" and lines[3].endswith("TBT 260 ms, -4.8")
    assert not any("held back" in ln for ln in audit.table(rows, {}))
