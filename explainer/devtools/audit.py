"""`make audit`: Lighthouse on every page of a built site, served gzip-compressed like GitHub Pages.

    python -m explainer audit SITE_DIR [--runs N] [--json-dir DIR] [--pages PATH ...]

Serves SITE_DIR on 127.0.0.1 (gzip for text types, `Cache-Control: max-age=600`, the site's
404.html for missing paths: what GitHub Pages does), runs the pinned Lighthouse
(tools/lighthouse, `make lighthouse`) with Debian's Chromium on every `index.html` page, using
Lighthouse's DEFAULT config: a mobile device with simulated throttling. Prints the four category
scores per page, the minimum of each, the pages that miss a budget and, for each miss, the
audits that failed with the elements or URLs they flagged. For a page under the performance
budget, the table also names the metric that held it back: of FCP, LCP, TBT, CLS and SI, the one
whose weighted score lost the page most points, with its value ("TBT 260 ms, -5.2").

Budgets: performance >= 95; accessibility, best practices and SEO = 100.
Exit status: 0 all budgets met, 1 a budget missed, 2 Lighthouse could not run.

The server is explainer.devtools.serving, shared with `make bench` and the browser tests.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from explainer.core import settings
from explainer.core.project import current_project
from explainer.core.settings import CHROMIUM, CHROMIUM_ARGS
from explainer.devtools import serving
from explainer.devtools.serving import site_pages

CHROME_FLAGS = " ".join(["--headless=new", *CHROMIUM_ARGS])
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
SHORT = {"performance": "perf", "accessibility": "a11y", "best-practices": "best-pr", "seo": "seo"}
BUDGETS = settings.LIGHTHOUSE_BUDGETS


def lighthouse_dir() -> Path:
    """The pinned Lighthouse (`make lighthouse` installs it into the project's tools/lighthouse)."""
    return current_project().root / "tools" / "lighthouse" / "node_modules"


LIGHTHOUSE_TIMEOUT = 240  # seconds per page

# --- Lighthouse ------------------------------------------------------------------------------


def run_lighthouse(url: str, out_json: Path) -> dict:
    """One Lighthouse run (default config: mobile, simulated throttling); returns the LHR."""
    cmd = [
        str(lighthouse_dir() / ".bin" / "lighthouse"),
        url,
        f"--chrome-flags={CHROME_FLAGS}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--output=json",
        f"--output-path={out_json}",
        "--quiet",
        "--no-enable-error-reporting",
    ]
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=LIGHTHOUSE_TIMEOUT)
    if proc.returncode != 0 or not out_json.exists():
        raise RuntimeError(f"lighthouse exited {proc.returncode}: {(proc.stderr or proc.stdout).strip()[-2000:]}")
    lhr = json.loads(out_json.read_text(encoding="utf-8"))
    if lhr.get("runtimeError"):
        raise RuntimeError(f"lighthouse runtime error: {lhr['runtimeError']}")
    return lhr


def scores(lhr: dict) -> dict[str, int | None]:
    out = {}
    for c in CATEGORIES:
        s = lhr["categories"].get(c, {}).get("score")
        out[c] = None if s is None else round(s * 100)
    return out


def _item_text(item: dict) -> str:
    """One flagged element or resource, as briefly as it can be said."""
    node = item.get("node") if isinstance(item.get("node"), dict) else (item if item.get("type") == "node" else None)
    parts = []
    if node:
        if node.get("selector"):
            parts.append(node["selector"])
        if node.get("snippet"):
            parts.append(node["snippet"][:160])
        if node.get("explanation"):
            expl = " ".join(node["explanation"].split())
            parts.append(
                expl.removeprefix("Fix any of the following: ").removeprefix("Fix all of the following: ")[:300]
            )
    if item.get("groupLabel"):
        parts.append(f"{item['groupLabel']}: {round(item.get('duration', 0))} ms")
    for k in ("url", "source", "description", "text", "label", "failureReason"):
        v = item.get(k)
        if isinstance(v, dict):
            v = v.get("url") or v.get("text") or v.get("value")
        if v and not isinstance(v, (list, dict)):
            parts.append(f"{k}={str(v)[:200]}")
    if not node and isinstance(item.get("value"), (str, int, float)):
        parts.append(f"value={item['value']}")
    for k in ("wastedBytes", "wastedMs", "totalBytes", "transferSize", "total", "scripting", "duration"):
        if isinstance(item.get(k), (int, float)) and not item.get("groupLabel"):
            parts.append(f"{k}={round(item[k])}")
    return " | ".join(parts) or json.dumps(item)[:200]


def failures(lhr: dict, category: str) -> list[str]:
    """The audits of a category that count towards its score and did not pass, with their items."""
    lines = []
    cat = lhr["categories"].get(category, {})
    for ref in cat.get("auditRefs", []):
        a = lhr["audits"].get(ref["id"], {})
        score, mode = a.get("score"), a.get("scoreDisplayMode")
        if mode in ("notApplicable", "manual", "informative") or score is None:
            continue
        if score >= 1 or (category == "performance" and ref.get("weight", 0) == 0 and score >= 0.9):
            continue
        weight = ref.get("weight", 0)
        value = f" ({a['displayValue']})" if a.get("displayValue") else ""
        lines.append(f"  [{category}] {ref['id']} score={score:.2f} weight={weight}{value}: {a.get('title', '')}")
        details = a.get("details") or {}
        items = details.get("items") or []
        for it in items[:8]:
            if isinstance(it, dict):
                if it.get("type") == "table" or "items" in it and not it.get("node"):
                    for sub in (it.get("items") or [])[:8]:
                        lines.append(f"      - {_item_text(sub)}")
                else:
                    lines.append(f"      - {_item_text(it)}")
        if len(items) > 8:
            lines.append(f"      ... and {len(items) - 8} more")
    return lines


def perf_metrics(lhr: dict) -> str:
    keys = [
        ("first-contentful-paint", "FCP"),
        ("largest-contentful-paint", "LCP"),
        ("total-blocking-time", "TBT"),
        ("cumulative-layout-shift", "CLS"),
        ("speed-index", "SI"),
    ]
    return ", ".join(f"{short} {lhr['audits'][k].get('displayValue', '?')}" for k, short in keys if k in lhr["audits"])


def held_back(lhr: dict) -> tuple[str, str, float] | None:
    """The performance metric that cost the page most points: the one with the lowest weighted
    score, i.e. the largest weight x (1 - score). (acronym, value as Lighthouse shows it, points
    lost out of 100); None when no metric lost any."""
    refs = [r for r in lhr["categories"].get("performance", {}).get("auditRefs", []) if r.get("weight")]
    total = sum(r["weight"] for r in refs)
    worst = None
    for r in refs:
        a = lhr["audits"].get(r["id"], {})
        if a.get("score") is None:
            continue
        lost = 100 * r["weight"] * (1 - a["score"]) / total
        if worst is None or lost > worst[2]:
            worst = (r.get("acronym") or r["id"], a.get("displayValue") or "?", lost)
    return worst if worst and worst[2] > 0 else None


def held_back_text(lhr: dict) -> str:
    worst = held_back(lhr)
    return f"{worst[0]} {worst[1]}, -{worst[2]:.1f}" if worst else ""


def table(rows: list[tuple[str, dict[str, int | None]]], held: dict[str, str] | None = None) -> list[str]:
    """The scores, one row per page; `held` (page: the metric that held its performance back)
    adds a column for the pages under the performance budget."""
    held = {p: h for p, h in (held or {}).items() if h}
    w = max([len("page")] + [len(p) for p, _ in rows])
    head = f"{'page':<{w}}  " + "  ".join(f"{SHORT[c]:>7}" for c in CATEGORIES)
    if held:
        head += "  held back by"
    out = [head, "-" * len(head)]
    for page, s in rows:
        line = f"{page:<{w}}  " + "  ".join(f"{'-' if s[c] is None else s[c]:>7}" for c in CATEGORIES)
        out.append(f"{line}  {held[page]}" if page in held else line)
    mins = {c: min((s[c] for _, s in rows if s[c] is not None), default=None) for c in CATEGORIES}
    out.append("-" * len(head))
    out.append(f"{'minimum':<{w}}  " + "  ".join(f"{'-' if mins[c] is None else mins[c]:>7}" for c in CATEGORIES))
    return out


def main(argv: list[str] | None = None) -> int:  # noqa: PLR0915 - one script, read top to bottom
    ap = argparse.ArgumentParser(prog="python -m explainer audit", description=__doc__.splitlines()[0])
    ap.add_argument("site_dir", type=Path)
    ap.add_argument("--json-dir", type=Path, help="keep each page's Lighthouse JSON report here")
    ap.add_argument("--pages", nargs="*", help="only these page paths (e.g. '' for the home page, 'section/')")
    ap.add_argument(
        "--runs",
        type=int,
        default=1,
        help="Lighthouse runs per page; the run with the median performance score is reported "
        "(performance varies from run to run, more on a busy machine)",
    )
    args = ap.parse_args(argv)

    site = args.site_dir.resolve()
    if not (site / "index.html").is_file():
        print(f"audit: {site} has no index.html; run `make build` first", file=sys.stderr)
        return 2
    if not (lighthouse_dir() / ".bin" / "lighthouse").exists():
        print(f"audit: {lighthouse_dir()} has no Lighthouse; run `make lighthouse`", file=sys.stderr)
        return 2
    pages = site_pages(site) if args.pages is None else args.pages
    work = Path(tempfile.mkdtemp(prefix="audit-"))
    rows: list[tuple[str, dict]] = []
    details: dict[str, list[str]] = {}
    metrics: dict[str, str] = {}
    held: dict[str, str] = {}  # pages under the performance budget: the metric that held them back
    broken = False
    print(
        f"audit: Lighthouse {_lh_version()} (default config: mobile, simulated throttling) on {len(pages)} pages "
        f"of {site}, served gzip-compressed; {args.runs} run(s) per page",
        flush=True,
    )
    try:
        with serving.serve(site) as srv:
            base = srv.url()
            for i, page in enumerate(pages, 1):
                name = "/" + page
                out = work / f"{i:02d}.json"
                print(f"  [{i}/{len(pages)}] {name} ...", end=" ", flush=True)
                try:
                    runs = []
                    for r in range(max(1, args.runs)):
                        runs.append(run_lighthouse(base + page, out.with_suffix(f".{r}.json")))
                    runs.sort(key=lambda x: x["categories"]["performance"]["score"] or 0)
                    lhr = runs[len(runs) // 2]
                    out.write_text(json.dumps(lhr), encoding="utf-8")
                except (RuntimeError, subprocess.TimeoutExpired, json.JSONDecodeError) as e:
                    print("FAILED")
                    print(f"    {e}", file=sys.stderr)
                    broken = True
                    rows.append((name, {c: None for c in CATEGORIES}))
                    continue
                s = scores(lhr)
                rows.append((name, s))
                metrics[name] = perf_metrics(lhr)
                if s["performance"] is not None and s["performance"] < BUDGETS["performance"]:
                    held[name] = held_back_text(lhr)
                worst = held_back_text(lhr)
                spread = (
                    f" (performance of {len(runs)} runs: {', '.join(str(scores(x)['performance']) for x in runs)})"
                    if len(runs) > 1
                    else ""
                )
                print(
                    " ".join(f"{SHORT[c]}={s[c]}" for c in CATEGORIES)
                    + spread
                    + (f"; held back by {worst}" if worst else ""),
                    flush=True,
                )
                details[name] = [
                    ln for c in CATEGORIES if s[c] is not None and s[c] < BUDGETS[c] for ln in failures(lhr, c)
                ]
                if args.json_dir:
                    args.json_dir.mkdir(parents=True, exist_ok=True)
                    dest = "home" if not page else page.strip("/").replace("/", "_")
                    shutil.copyfile(out, args.json_dir / f"{dest}.json")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print()
    print("\n".join(table(rows, held)))
    print("budgets: " + ", ".join(f"{c} >= {b}" if b < 100 else f"{c} = 100" for c, b in BUDGETS.items()))
    if any(held.values()):
        print("held back by: of FCP, LCP, TBT, CLS and SI, the metric whose weighted score lost the page most points")
    misses = []
    for page, s in rows:
        missed = [f"{c} {s[c]} < {BUDGETS[c]}" for c in CATEGORIES if s[c] is not None and s[c] < BUDGETS[c]]
        if missed:
            misses.append((page, missed))
    print()
    if misses:
        print(f"{len(misses)} page(s) miss a budget:")
        for page, missed in misses:
            because = f"; held back by {held[page]}" if held.get(page) else ""
            print(f"{page}: {'; '.join(missed)}{because}  [{metrics.get(page, '')}]")
            for ln in details.get(page, []):
                print(ln)
    else:
        print("every page meets every budget")
    if broken:
        print("audit: Lighthouse failed on some pages (see above)", file=sys.stderr)
        return 2
    return 1 if misses else 0


def _lh_version() -> str:
    try:
        pkg = lighthouse_dir() / "lighthouse" / "package.json"
        return json.loads(pkg.read_text())["version"]
    except (OSError, ValueError, KeyError):
        return "?"
