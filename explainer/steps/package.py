"""The data package: every dataset and the claims ledger, described for reuse.

A Frictionless `datapackage.json` (each dataset with its schema, sources and licence), the claims
ledger as CSV and JSON, and one zip of it all, published beside the datasets in assets/data/.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

from explainer.core import claims as C
from explainer.core import data as D
from explainer.core import files, settings
from explainer.core.project import current_project

LICENCE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0 (the compilation; each value stays under its producer's terms)",
}
CLAIM_FIELDS = [
    ("id", "string", "Claim id"),
    ("section", "string", "The page of the site where the claim is checked"),
    ("quote", "string", "The essay's words"),
    ("essay_figure", "string", "The figure the essay gives"),
    ("essay_unit", "string", "Its unit"),
    ("essay_year", "string", "The year the essay gives"),
    ("verdict", "string", "The verdict"),
    ("checked", "string", "checked against the data, or judged from the sources"),
    ("data_value", "number", "What the data give (claims checked against the data)"),
    ("data_year", "string", "The year of the data compared"),
    ("finding", "string", "What the sources say (claims judged from the sources), or the note"),
    ("sources", "string", "Registry ids of the sources, separated by spaces"),
]
DIALECT = {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "header": True}  # fixed, never sniffed
_FIELD_KEYS = {"name", "type", "title", "description", "constraints", "format", "unit"}


def claims_rows() -> list[dict[str, object]]:
    rows = []
    for r in C.evaluate_all():
        fig = r.claim.figure
        rows.append(
            {
                "id": r.id,
                "section": r.claim.section,
                "quote": r.claim.quote,
                "essay_figure": "" if fig is None or fig.value is None else str(fig.value),
                "essay_unit": "" if fig is None else fig.unit,
                "essay_year": "" if fig is None or fig.year is None else str(fig.year),
                "verdict": r.verdict,
                "checked": r.how_checked,
                "data_value": "" if r.data_value is None else round(r.data_value, 6),
                "data_year": r.data_year or "",
                "finding": r.claim.finding or r.claim.note or "",
                "sources": " ".join(C.sources_of(r.claim)),
            }
        )
    return rows


def descriptor() -> dict:
    config = current_project().config
    registry = D.sources_by_id()
    resources = []
    for name in D.dataset_names():
        s = D.schema(name)
        cited = sorted(set(D.load(name)["source"].astype(str)))
        resources.append(
            {
                "name": name.replace("_", "-"),
                "path": f"{name}.csv",
                "title": s["title"],
                "description": f"{s['description']} Caveats: {s.get('caveats', '')}".strip(),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": DIALECT,
                "schema": {
                    "fields": [{k: v for k, v in f.items() if k in _FIELD_KEYS} for f in s["fields"]],
                    "primaryKey": s["primaryKey"],
                },
                "sources": [{"title": registry[sid].citation_full, "path": registry[sid].url_main} for sid in cited],
            }
        )
    resources.append(
        {
            "name": "claims",
            "path": "claims.csv",
            "title": "The essay's claims and their verdicts",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": DIALECT,
            "schema": {
                "fields": [{"name": n, "type": t, "description": d} for n, t, d in CLAIM_FIELDS],
                "primaryKey": ["id"],
            },
        }
    )
    return {
        "name": files.slug(str(config.get("site_name") or "")) or "explainer",
        "title": str(config.get("site_name") or ""),
        "description": str(config.get("site_description") or "").strip(),
        **({"homepage": current_project().site_base()} if current_project().site_base() else {}),
        "licenses": [LICENCE],
        "resources": resources,
    }


def write(out: Path, last: dict[str, str] | None = None) -> list[tuple[str, Path]]:
    """Write the package into `out`; returns (URI in the site, file) for each file written.
    Skipped when the data and the site's settings are as at the last write, which `last` (kept
    by the caller from one rebuild to the next under serve, keyed on content) remembers."""
    last = {} if last is None else last
    names = ("claims.csv", "claims.json", "datapackage.json", "data.zip")

    def stamp() -> str:  # the data read, the files written and the site's settings
        inputs = [*current_project().data.glob("*"), *(out / n for n in names)]
        return files.fingerprint(inputs, json.dumps(current_project().config, default=str))

    if last.get(str(out)) == stamp():
        return [(f"{settings.SITE_DATA}/{n}", out / n) for n in names]
    result = _write(out)
    last[str(out)] = stamp()
    return result


def _write(out: Path) -> list[tuple[str, Path]]:
    rows = claims_rows()
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=[n for n, _, _ in CLAIM_FIELDS], lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    written = {
        "claims.csv": buf.getvalue().encode(),
        "claims.json": json.dumps(rows, ensure_ascii=False, indent=1).encode(),
        "datapackage.json": json.dumps(descriptor(), ensure_ascii=False, indent=1).encode(),
    }
    for name, content in written.items():
        files.write_if_changed(out / name, content)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        members = {**{f"{n}.csv": D.dataset_path(n).read_bytes() for n in D.dataset_names()}, **written}
        members[settings.REGISTRY_FILE] = (current_project().data / settings.REGISTRY_FILE).read_bytes()
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # the same bytes for the same data
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, members[name])
    files.write_if_changed(out / "data.zip", archive.getvalue())
    return [(f"{settings.SITE_DATA}/{name}", out / name) for name in (*written, "data.zip")]
