"""The data dictionary, data/README.md, generated from the Table Schemas so it cannot drift.

`python -m explainer datadict --write` rewrites it (an author's command: builds never write
into data/); the test suite fails when the file differs from what the schemas say.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from explainer.core import claims as C
from explainer.core import data as D
from explainer.core import files, settings
from explainer.core.project import Project, current_project
from explainer.core.schemas import PRODUCERS_SCHEMA, REGISTRY_SCHEMA

HEADER = """# Data dictionary

Generated from the Table Schemas (`<dataset>.schema.yaml`) by
`python -m explainer datadict --write`; do not edit by hand.

Every dataset is a tidy CSV, UTF-8, comma-separated, one row per observation. Every row has a
`source` (an id in [`sources.yaml`](sources.yaml), the page the value was read in) and a
`status` (below). The claims the essay makes are in [`claims.yaml`](claims.yaml).
`make check-data` validates all of it.
"""


def _terms(title: str, intro: str, terms: list[settings.Term]) -> list[str]:
    return [f"\n### {title}\n\n{intro}\n"] + [f"- `{t.name}`: {t.meaning}" for t in terms]


def vocabularies() -> list[str]:
    """The registry's fields and the fixed vocabularies, from the one place they are defined."""
    schema = REGISTRY_SCHEMA
    optional = sorted(set(schema["properties"]) - set(schema["required"]) - {"__line__"})
    out = [
        "\n## The source registry and its vocabularies\n",
        "Each entry of `sources.yaml` is one page or file a figure was read in. Required fields: "
        + ", ".join(f"`{f}`" for f in schema["required"])
        + ". Optional: "
        + ", ".join(f"`{f}`" for f in optional)
        + ".",
    ]
    fields = [f for f in PRODUCERS_SCHEMA["properties"] if f != "__line__"]
    out += [
        f"\n### Producers' own sites (`{settings.PRODUCERS_FILE}`)\n",
        "Each item names an organisation (as the registry's `producer` or `publisher` writes it) and the sites "
        "that are its own: a host (its subdomains included) or, on a host many people publish on ("
        + ", ".join(sorted(set(settings.SHARED_HOSTS.values())))
        + "), an account such as `github.com/owid`. Fields: "
        + ", ".join(f"`{f}`" for f in fields)
        + " (`short`: how source lines name it). `check-data` holds the registry to it: an entry whose kind is "
        "first-hand or whose reliability is `high` must stand on a site of its producer or of the publisher it "
        "names; an entry whose `publisher` is null must stand on its producer's site; a `publisher` may not name "
        "the producer (or another declared organisation) for a page on someone else's site.",
    ]
    out += _terms("kind", "What the page read is, best first (the first four are first-hand):", settings.SOURCE_KINDS)
    out += _terms(
        "reliability", "How far the page read can be trusted to carry the producer's figure:", settings.RELIABILITY
    )
    out += _terms("status", "What a value is (the `status` column of every dataset):", settings.STATUSES)
    out += _terms("verdict", "The scale a claim is judged on, best first:", settings.VERDICTS)
    return out


def _kind(spec: dict) -> str:
    """A schema field's type in words: text, number, a list of ..., or its values."""
    if "enum" in spec:
        return "one of " + ", ".join(f"`{v}`" for v in spec["enum"])
    words = {"string": "text", "number": "number", "integer": "whole number", "null": "empty", "object": "mapping"}
    kinds = spec.get("type", "string")
    if kinds == "array":
        return "list of " + ("mappings" if spec.get("items", {}).get("type") == "object" else "texts")
    return " or ".join(words.get(k, k) for k in ([kinds] if isinstance(kinds, str) else kinds))


def claim_fields() -> list[str]:
    """The claims ledger's fields, from its JSON Schema, each with what it holds."""
    from explainer.core.schemas import CLAIM_FIELD_MEANINGS, CLAIM_SCHEMA

    rows = []

    def walk(schema: dict, prefix: str) -> None:
        for name, spec in schema["properties"].items():
            if name == "__line__":
                continue
            field = prefix + name
            need = "yes" if name in schema.get("required", ()) else ""
            if prefix and need:
                need = f"with `{prefix[:-1]}`"
            meaning = CLAIM_FIELD_MEANINGS.get(field)
            if meaning is None:
                raise KeyError(f"the claims ledger's field '{field}' has no meaning in CLAIM_FIELD_MEANINGS")
            rows.append(f"| `{field}` | {_kind(spec)} | {need} | {meaning.replace('|', '/')} |")
            if spec.get("type") == "object" and "properties" in spec:
                walk(spec, field + ".")

    walk(CLAIM_SCHEMA, "")
    out = [
        f"\n## The claims ledger (`{settings.CLAIMS_FILE}`)\n",
        "Each item is one claim of the text. A claim with `compare` is decided from the data by the verdict rules "
        "(its card says how); any other carries a written `verdict` with its `finding` and `sources`, which the "
        "rules still hold to its figures. Fields, from the ledger's JSON Schema (`check-data` enforces it):\n",
        "| field | type | required | what it holds |\n|---|---|---|---|",
        *rows,
    ]
    out += _terms("op", "What `compare.op` computes from the evidence rows:", _ops())
    out += _terms("reading", "How the text words its figure (`figure.reading`):", settings.READINGS)
    return out


def _ops() -> list[settings.Term]:
    return [settings.Term(name, op.meaning) for name, op in C.OPS.items()]


def render(project: Project | None = None) -> str:
    parts = [HEADER, *vocabularies(), *claim_fields()]
    for name in D.dataset_names(project):
        s = D.schema(name, project)
        df = D.load(name, project)
        parts.append(f"\n## {name}\n\n**{s['title']}.** {s['description']}\n")
        parts.append(f"- File: `{name}.csv` ({len(df)} rows); schema: `{name}{settings.SCHEMA_SUFFIX}`")
        parts.append(f"- Primary key: {', '.join(f'`{k}`' for k in s['primaryKey'])}")
        years = [c for c in settings.TIME_COLUMNS if c in df.columns]
        if years:
            col = years[0]
            parts.append(f"- Coverage ({col}): {df[col].min()} to {df[col].max()}")
        sources = Counter(df["source"])
        parts.append(
            f"- Sources: {len(sources)} registry entries; statuses: "
            + ", ".join(f"{k} {v}" for k, v in sorted(Counter(df["status"]).items()))
        )
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
            parts.append(
                f"| `{f['name']}` | {f.get('type', 'string')} | {f.get('unit', '')} | {desc.replace('|', '/')} |"
            )
    return "\n".join(parts) + "\n"


def check(project: Project | None = None) -> bool:
    """Whether the data dictionary (data/README.md of the project) says what the schemas and
    vocabularies generate: `datadict` and `check-data` both ask this."""
    target = (project or current_project()).data / settings.DATA_DICTIONARY
    return target.exists() and target.read_text(encoding="utf-8") == render(project)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m explainer datadict", description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="rewrite data/README.md (else: check it is current)")
    args = ap.parse_args(argv)
    project = current_project()
    target = project.data / settings.DATA_DICTIONARY
    if args.write:
        files.write_atomic(target, render(project))
        print(f"wrote {project.rel(target)}")
        return 0
    if not check(project):
        print(f"{project.rel(target)} is out of date: run `python -m explainer datadict --write`", file=sys.stderr)
        return 1
    print(f"{current_project().rel(target)} is up to date")
    return 0
