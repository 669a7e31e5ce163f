"""`make bench-scale N=200`: how the engine grows with the size of an explainer.

Generates a synthetic explainer in a temporary folder (N charts over N/4 pages and N/4 datasets,
each dataset with its registry entry and one checked claim), then measures a cold build (seconds
per chart), an unchanged rebuild, and, under `make serve`, one dataset saved until its page shows
the new value. Targets: at most 0.3 s per chart cold on 2 cores; the saved dataset served within
2 s, whatever N.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from explainer.core import settings
from explainer.devtools import bench

PER_CHART_MAX = 0.3  # seconds per chart, cold build
SAVE_MAX = 2.0  # seconds, one dataset saved -> page served

YEARS = range(2015, 2025)
PLACES = ["North", "South", "East", "West"]

SCHEMA = """title: Synthetic series {n}
description: Invented values for the scale benchmark.
caveats: None; generated.
fields:
- {{name: year, type: integer, title: Year, constraints: {{required: true}}}}
- {{name: place, type: string, title: Place, constraints: {{required: true}}}}
- {{name: value, type: integer, title: Value, constraints: {{required: true, minimum: 0}}}}
- {{name: source, type: string, title: Source, constraints: {{required: true}}}}
- {{name: status, type: string, title: Status,
   constraints: {{required: true, enum: [{statuses}]}}}}
primaryKey: [year, place]
"""

SOURCE = """- id: office-{n}
  producer: Statistical Office {n}
  publisher: null
  title: Series {n}
  citation_full: Statistical Office {n} (2024). Series {n}. Generated for the scale benchmark.
  url_main: http://127.0.0.1:9/series-{n}
  primary: null
  primary_url: null
  url_archive: null
  kind: official statistics
  reliability: high
  date_published: "2024"
  date_accessed: "2026-12-01"
  license: null
  notes: null

"""

CLAIM = """- id: S{n}
  section: page-{page}
  quote: "North reached {value} in 2024"
  figure: {{value: {value}, unit: units, year: 2024}}
  compare:
    op: value
    of:
      - {{dataset: series_{n}, where: {{year: 2024, place: North}}, column: value}}

"""

CHART = '''"""Series {n}, view {view}
Each place's value by year.
"""

import altair as alt

from explainer.core.data import load

SOURCES = ["office-{n}"]


def build() -> alt.Chart:
    df = load("series_{n}")
    return alt.Chart(df).mark_line(point=True).encode(x="year:O", y="value:Q", color="place:N")
'''


def value(n: int, year: int, place: int) -> int:
    return 100 + 7 * n + 11 * (year - YEARS[0]) + 13 * place


def generate(root: Path, charts: int) -> tuple[str, Path, int]:
    """The explainer; returns (a page, the dataset file it shows, the value it shows)."""
    datasets = max(1, charts // 4)
    pages = max(1, charts // 4)
    for d in ("docs", "data", "charts"):
        (root / d).mkdir(parents=True, exist_ok=True)
    nav = ["  - Home: index.md"]
    sources, claims = [], []
    for n in range(datasets):
        rows = ["year,place,value,source,status"]
        status = settings.STATUSES[0].name
        rows += [f"{y},{p},{value(n, y, i)},office-{n},{status}" for y in YEARS for i, p in enumerate(PLACES)]
        (root / "data" / f"series_{n}.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
        statuses = ", ".join(settings.names(settings.STATUSES))
        (root / "data" / f"series_{n}{settings.SCHEMA_SUFFIX}").write_text(
            SCHEMA.format(n=n, statuses=statuses), encoding="utf-8"
        )
        sources.append(SOURCE.format(n=n))
        claims.append(CLAIM.format(n=n, page=n % pages, value=value(n, 2024, 0)))
    (root / "data" / "sources.yaml").write_text("".join(sources), encoding="utf-8")
    (root / "data" / "claims.yaml").write_text("".join(claims), encoding="utf-8")
    for c in range(charts):
        (root / "charts" / f"chart_{c}.py").write_text(CHART.format(n=c % datasets, view=c), encoding="utf-8")
    for p in range(pages):
        body = [
            f"---\ntitle: Page {p}\ndescription: Synthetic page {p} of the scale benchmark.\n---\n",
            f"# Page {p}\n",
        ]
        n = p % datasets
        body.append(f"North reached {{{{ data series_{n}.value year=2024 place=North }}}} in 2024.\n")
        body += [f"<!-- chart: chart_{c} -->\n" for c in range(charts) if c % pages == p]
        body.append("<!-- claims -->\n")
        (root / "docs" / f"page-{p}.md").write_text("\n".join(body), encoding="utf-8")
        nav.append(f"  - Page {p}: page-{p}.md")
    (root / "docs" / "index.md").write_text(
        "---\ntitle: Scale\ndescription: A synthetic explainer.\n---\n\n# Scale\n\nGenerated.\n\n<!-- sources -->\n",
        encoding="utf-8",
    )
    (root / "mkdocs.yml").write_text(
        "site_name: Scale\nsite_url: http://127.0.0.1:8000/\nstrict: true\ntheme:\n  name: material\n  font: false\n"
        "plugins:\n  - search\n  - explainer\nwatch:\n  - data\n  - charts\nnav:\n" + "\n".join(nav) + "\n",
        encoding="utf-8",
    )
    return "page-0/", root / "data" / "series_0.csv", value(0, 2024, 0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m explainer bench-scale", description=__doc__.splitlines()[0])
    ap.add_argument("--charts", type=int, default=200, help="number of charts (N); pages and datasets are N/4")
    ap.add_argument("--keep", action="store_true", help="keep the generated explainer")
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    root = work / "explainer"
    page, csv, shown = generate(root, args.charts)
    py = [sys.executable, "-m", "explainer", "--project", str(root)]
    environ = bench.env(EXPLAINER_PROJECT=str(root))
    failed = False
    try:
        bench.timed([*py, "datadict", "--write"], environ, "data dictionary")
        print(f"bench-scale: {args.charts} charts, {max(1, args.charts // 4)} pages and datasets in {root}", flush=True)
        cold = bench.timed([*py, "build", "--site-dir", str(work / "site")], environ, "cold build")
        unchanged = bench.timed([*py, "build", "--site-dir", str(work / "site")], environ, "unchanged build")
        port = bench.free_port()
        server = bench.Serve(port, environ, [], work / "serve.log", root / "mkdocs.yml")
        try:
            server.wait_serving(page, f"{shown:,}", bench.SERVE_START_TIMEOUT)
            time.sleep(3)
            edits = [
                (f"2024,North,{shown},", f"2024,North,{shown + 1000 * i},", f"{shown + 1000 * i:,}") for i in (1, 2, 3)
            ]
            saves = bench._saves(server, page, csv, edits)
        finally:
            server.stop()
        per_chart = cold / args.charts
        save = statistics.median(saves)
        rows = [
            ("cold build", f"{cold:.1f} s", f"{per_chart:.3f} s per chart", per_chart <= PER_CHART_MAX),
            ("unchanged build (a new process)", f"{unchanged:.1f} s", "", None),
            (
                "one dataset saved → page served (median of 3)",
                f"{save:.2f} s",
                ", ".join(f"{s:.2f}" for s in saves),
                save <= SAVE_MAX,
            ),
        ]
        print(f"\n# Scale: {args.charts} charts\n")
        print("| measurement | time | detail | target |\n|---|---:|---|---|")
        for label, t, detail, ok in rows:
            verdict = "" if ok is None else ("ok" if ok else "MISSED")
            print(f"| {label} | {t} | {detail} | {verdict} |")
        print(f"\nTargets: at most {PER_CHART_MAX} s per chart cold; a saved dataset served within {SAVE_MAX} s.")
        failed = any(ok is False for *_, ok in rows)
    except bench.BenchError as e:
        print(f"bench-scale: {e}", file=sys.stderr)
        failed = True
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0
