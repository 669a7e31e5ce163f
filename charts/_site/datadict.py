"""The data dictionary, data/README.md, generated from the Table Schemas so it cannot drift.

`python -m charts._site.datadict --write` rewrites it (an author's command: builds never write
into data/); the test suite fails when the file differs from what the schemas say.
"""
from __future__ import annotations

import sys
from collections import Counter

from charts import data as D
from charts._site import paths

HEADER = """# Data dictionary

Generated from the Table Schemas (`<dataset>.schema.yaml`) by
`python -m charts._site.datadict --write`; do not edit by hand.

Every dataset is a tidy CSV, UTF-8, comma-separated, one row per observation. Every row has a
`source` (an id in [`sources.yaml`](sources.yaml), the page the value was read in) and a
`status`: reported, preliminary, revised (a later edition changed it), projected (forecast or
guidance) or estimated (an approximation or a model estimate). The claims the essay makes are in
[`claims.yaml`](claims.yaml). `make check-data` validates all of it.
"""


def render() -> str:
    parts = [HEADER]
    for name in D.dataset_names():
        s = D.schema(name)
        df = D.load(name)
        parts.append(f"\n## {name}\n\n**{s['title']}.** {s['description']}\n")
        parts.append(f"- File: `{name}.csv` ({len(df)} rows); schema: `{name}.schema.yaml`")
        parts.append(f"- Primary key: {', '.join(f'`{k}`' for k in s['primaryKey'])}")
        years = [c for c in ("year", "date", "period") if c in df.columns]
        if years:
            col = years[0]
            parts.append(f"- Coverage ({col}): {df[col].min()} to {df[col].max()}")
        sources = Counter(df["source"])
        parts.append(f"- Sources: {len(sources)} registry entries; statuses: "
                     + ", ".join(f"{k} {v}" for k, v in sorted(Counter(df['status']).items())))
        parts.append(f"- Caveats: {s['caveats']}\n")
        parts.append("| column | type | unit | description |\n|---|---|---|---|")
        for f in s["fields"]:
            desc = f.get("title", "")
            if f.get("description"):
                desc += f": {f['description']}"
            desc = desc.rstrip(".") + "."
            enum = (f.get("constraints") or {}).get("enum")
            if enum:
                desc += " One of: " + ", ".join(f"`{e}`" for e in enum) + "."
            parts.append(f"| `{f['name']}` | {f.get('type', 'string')} | {f.get('unit', '')} | {desc.replace('|', '/')} |")
    return "\n".join(parts) + "\n"


def main(argv: list[str]) -> int:
    target = paths.data_dir() / "README.md"
    text = render()
    if "--write" in argv:
        target.write_text(text, encoding="utf-8")
        print(f"wrote {paths.rel(target)}")
        return 0
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        print(f"{paths.rel(target)} is out of date: run python -m charts._site.datadict --write", file=sys.stderr)
        return 1
    print(f"{paths.rel(target)} is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
