"""`make check-data`: every dataset, the source registry and the claims ledger, checked at once.

Tables are checked by Frictionless against their Table Schemas; the registry and the
ledger by JSON Schema; then the cross-references (every `source` in the registry, every
registry entry used, every claim's evidence found). One line per problem, all of them in
one run, exit status 1 when there is any. Nothing is written anywhere.
"""

from __future__ import annotations

import argparse
import ast
import functools
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from explainer.core import chart_contract, files, provenance, settings
from explainer.core import claims as C
from explainer.core import data as D
from explainer.core.problems import ROOT_CAUSES, Problem, did_you_mean
from explainer.core.project import Project, current_project
from explainer.core.records import Claim, Source
from explainer.core.schemas import CLAIM_SCHEMA, PRODUCERS_SCHEMA, REGISTRY_SCHEMA
from explainer.core.yamlines import SAFE_LOADER, error_place, load_with_lines, strip_lines

MAX_QUOTE_WORDS = settings.MAX_QUOTE_WORDS


def _quote(v: Any) -> str:
    return repr(v) if isinstance(v, str) else str(v)


# --- the registry -----------------------------------------------------------------


def check_registry(path: Path, project: Project | None = None) -> tuple[list[Problem], list[dict]]:
    project = project or current_project()
    f = project.rel(path)
    problems: list[Problem] = []
    if not path.exists():
        return [Problem(f, None, "", "the source registry is missing", "required-file")], []
    try:
        entries = load_with_lines(path)
    except UnicodeDecodeError as e:
        return [Problem(f, _line_of_byte(path, e.start), "", f"not UTF-8 text: {e.reason}", "encoding")], []
    except yaml.YAMLError as e:
        line, message = error_place(path.read_text(encoding="utf-8"), e)
        return [Problem(f, line, "", message, "yaml")], []
    if not isinstance(entries, list) or not entries:
        return [Problem(f, 1, "", "expected a non-empty list of source entries", "registry-shape")], []
    validator = jsonschema.Draft202012Validator(REGISTRY_SCHEMA)
    seen: dict[str, int] = {}
    good = []
    for entry in entries:
        if not isinstance(entry, dict):
            problems.append(Problem(f, None, "", f"an entry is not a mapping: {_quote(entry)}", "registry-shape"))
            continue
        line = entry.get("__line__")
        place = f"entry '{entry.get('id', '?')}'"
        for err in sorted(validator.iter_errors(entry), key=lambda e: list(e.path)):
            field = ".".join(str(p) for p in err.path)
            where = f"{place} field '{field}'" if field else place
            problems.append(Problem(f, line, where, _schema_message(err), f"schema:{err.validator}"))
        eid = entry.get("id")
        if isinstance(eid, str):
            if eid in seen:
                problems.append(Problem(f, line, place, f"duplicate id (first at line {seen[eid]})", "unique-id"))
            else:
                seen[eid] = line
        good.append(entry)
    return problems, good


def _schema_message(err: jsonschema.ValidationError) -> str:
    if err.validator == "pattern":
        return f"{_quote(err.instance)} does not match the expected format ({err.validator_value})"
    if err.validator == "enum":
        return f"{_quote(err.instance)} is not one of: {', '.join(map(str, err.validator_value))}"
    return err.message


# --- whose page was read: producers' own sites -------------------------------------


def check_producers(path: Path, project: Project | None = None) -> tuple[list[Problem], dict[str, dict]]:
    """producers.yaml: each organisation's own sites, declared once (a missing file declares none)."""
    project = project or current_project()
    f = project.rel(path)
    if not path.exists():
        return [], {}
    try:
        items = load_with_lines(path)
    except yaml.YAMLError as e:
        line, message = error_place(path.read_text(encoding="utf-8"), e)
        return [Problem(f, line, "", message, "yaml")], {}
    if not isinstance(items, list):
        return [Problem(f, 1, "", "expected a list of producers (name, sites)", "producers-shape")], {}
    validator = jsonschema.Draft202012Validator(PRODUCERS_SCHEMA)
    problems: list[Problem] = []
    out: dict[str, dict] = {}
    for item in items:
        if not isinstance(item, dict):
            problems.append(Problem(f, None, "", f"an item is not a mapping: {_quote(item)}", "producers-shape"))
            continue
        line, place = item.get("__line__"), f"producer {_quote(item.get('name', '?'))}"
        for err in validator.iter_errors(item):
            field = ".".join(str(p) for p in err.path)
            problems.append(
                Problem(f, line, f"{place} field '{field}'" if field else place, _schema_message(err), "producers")
            )
        for site in item.get("sites") or []:
            if isinstance(site, str) and site.split("/")[0] in settings.SHARED_HOSTS and "/" not in site:
                problems.append(
                    Problem(
                        f,
                        line,
                        place,
                        f"{site} is a host many people publish on: name the account ('{site}/<owner>')",
                        "producers",
                    )
                )
        name = item.get("name")
        if isinstance(name, str):
            if name in out:
                problems.append(Problem(f, line, place, "declared twice", "unique-id"))
            out[name] = item
    return problems, out


def provenance_problems(
    registry_file: Path, entries: list[dict], producers: dict[str, dict], project: Project | None = None
) -> list[Problem]:
    """A page on someone else's site is labelled as what it is: not a first-hand kind, not rated
    high, and with its publisher named. Sites are known from producers.yaml only."""
    project = project or current_project()
    f = project.rel(registry_file)
    declared = settings.PRODUCERS_FILE
    out = []
    named: set[str] = set()
    for e in entries:
        if not isinstance(e.get("url_main"), str) or not isinstance(e.get("producer"), str):
            continue
        named |= {e["producer"], e.get("publisher") or ""}
        if provenance.is_own_page(Source.from_dict(e), producers):
            continue
        line, sid = e.get("__line__"), e.get("id", "?")
        where = provenance.place(e["url_main"])
        whose = f"{where} is not a site of {_quote(e['producer'])}" + (
            f" nor of {_quote(e['publisher'])}" if e.get("publisher") else ""
        )
        whose += f" in {declared}"
        if e.get("kind") in settings.FIRST_HAND_KINDS:
            out.append(
                Problem(
                    f,
                    line,
                    f"entry '{sid}' field 'kind'",
                    f"{_quote(e['kind'])} is for a page on the producer's own site, but {whose}: a copy on "
                    "someone else's site is 'third-party copy' (or declare the site, if it is theirs)",
                    "producer-site",
                )
            )
        if e.get("reliability") == "high":
            out.append(
                Problem(
                    f,
                    line,
                    f"entry '{sid}' field 'reliability'",
                    f"'high' is for the producer's or an official body's own page, but {whose}: a copy or "
                    "report elsewhere is at most 'medium'",
                    "producer-site",
                )
            )
        publisher = provenance.short_name(e["publisher"], producers) if e.get("publisher") else ""
        owners = (
            {e["producer"], provenance.short_name(e["producer"], producers)}
            | {n for n, p in producers.items() if p.get("sites")}
            | {p["short"] for p in producers.values() if p.get("sites") and p.get("short")}
        )
        if publisher in owners:
            out.append(
                Problem(
                    f,
                    line,
                    f"entry '{sid}' field 'publisher'",
                    f"names {_quote(publisher)}, but {whose}: name who published the page read (a copy "
                    "is published by whoever copied it)",
                    "producer-site",
                )
            )
        if e.get("publisher") is None:
            out.append(
                Problem(
                    f,
                    line,
                    f"entry '{sid}' field 'publisher'",
                    f"null says the page is the producer's own, but {whose}: name who published the page read",
                    "producer-site",
                )
            )
    path = registry_file.with_name(declared)
    for name, item in producers.items():
        if name not in named:
            out.append(
                Problem(
                    project.rel(path),
                    item.get("__line__"),
                    f"producer {_quote(name)}",
                    f"no entry of {settings.REGISTRY_FILE} names it as producer or publisher",
                    "unused-producer",
                )
            )
    return out


# A file named in our own data's words: a dataset, a schema or one of the registry's files.
_FILE_RE = re.compile(r"(?<![\w/.-])([A-Za-z0-9_-]+(?:\.schema)?\.(?:csv|yaml))\b")


def note_file_problems(data: Path, project: Project | None = None) -> list[Problem]:
    """A dataset's cells, a schema or the claims ledger that names a file of data/ that does not
    exist (a note pointing readers to "model_alt.csv" that was never written)."""
    project = project or current_project()
    out = []
    texts = sorted(data.glob("*.csv")) + sorted(data.glob(f"*{settings.SCHEMA_SUFFIX}")) + [data / settings.CLAIMS_FILE]
    for path in texts:
        if not path.exists():
            continue
        for lineno, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
            for name in sorted(set(_FILE_RE.findall(line))):
                if not (data / name).exists():
                    out.append(
                        Problem(
                            project.rel(path), lineno, "", f"names {name}, which is not a file in data/", "note-file"
                        )
                    )
    return out


def row_note_claim_problems(data: Path, project: Project | None = None) -> list[Problem]:
    """A dataset row's note that names a claim (an id shaped like the ledger's) names one that exists."""
    project = project or current_project()
    import csv as _csv
    import io

    ids = {c.id for c in D.claims(project)}
    prefixes = sorted({m.group(0) for cid in ids if (m := re.match(r"[A-Za-z]+(?=\d)", cid))})
    if not prefixes:
        return []
    ref = re.compile(r"\b(?:" + "|".join(map(re.escape, prefixes)) + r")\d+\b")
    out = []
    for path in sorted(data.glob("*.csv")):
        reader = _csv.reader(io.StringIO(path.read_text(encoding="utf-8")))
        header = next(reader, [])
        notes = [i for i, h in enumerate(header) if h in ("note", "notes")]
        for row in reader:
            for i in notes:
                for cid in sorted(set(ref.findall(row[i] if i < len(row) else ""))):
                    if cid not in ids:
                        out.append(
                            Problem(
                                project.rel(path),
                                reader.line_num,
                                f"column '{header[i]}'",
                                f"names claim {cid}, which is not in the ledger",
                                "note-claim",
                            )
                        )
    return out


# --- the datasets -----------------------------------------------------------------


def _line_of_byte(path: Path, offset: int) -> int:
    return path.read_bytes()[:offset].count(b"\n") + 1


_DATASET_CACHE: dict[tuple, tuple[list[Problem], dict[str, tuple[str, int]]]] = {}


def check_dataset(
    name: str, data: Path, project: Project | None = None
) -> tuple[list[Problem], dict[str, tuple[str, int]]]:
    """Problems in one dataset, and where each source id it cites first appears. A dataset whose
    files have not changed since it was last checked (in this process) is not checked again."""
    project = project or current_project()
    key = (
        str(project.root),
        files.stat_key(data / f"{name}.csv"),
        files.stat_key(data / f"{name}{settings.SCHEMA_SUFFIX}"),
    )
    if key not in _DATASET_CACHE:
        if len(_DATASET_CACHE) > 256:
            _DATASET_CACHE.clear()
        _DATASET_CACHE[key] = _check_dataset(name, data, project)
    problems, used = _DATASET_CACHE[key]
    return list(problems), dict(used)


def _check_dataset(
    name: str, data: Path, project: Project | None = None
) -> tuple[list[Problem], dict[str, tuple[str, int]]]:
    project = project or current_project()
    csv = data / f"{name}.csv"
    schema_file = data / f"{name}{settings.SCHEMA_SUFFIX}"
    f = project.rel(csv)
    problems: list[Problem] = []
    used: dict[str, tuple[str, int]] = {}
    if not csv.exists():
        return [Problem(f, None, "", f"the dataset described by {schema_file.name} is missing", "required-file")], used
    from frictionless import Dialect, Resource, Schema, formats  # slow to import: only when checking

    raw = csv.read_bytes()
    if not raw.strip():
        return [Problem(f, None, "", "the file is empty", "empty-file")], used
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = _line_of_byte(csv, e.start)
        return [Problem(f, line, "", f"not UTF-8: byte 0x{raw[e.start]:02x} at offset {e.start}", "encoding")], used
    try:
        descriptor = yaml.safe_load(schema_file.read_text(encoding="utf-8"))
        schema = Schema.from_descriptor(
            {k: v for k, v in descriptor.items() if k in ("fields", "primaryKey", "missingValues")}
        )
    except Exception as e:  # noqa: BLE001 - any schema fault is reported, not raised
        return [Problem(project.rel(schema_file), None, "", f"not a valid Table Schema: {e}", "schema")], used
    names = [fd["name"] for fd in descriptor.get("fields", [])]
    for required in ("source", "status"):
        if required not in names:
            problems.append(
                Problem(
                    project.rel(schema_file),
                    None,
                    "",
                    f"every dataset needs a '{required}' column",
                    "provenance-columns",
                )
            )
    problems += vocabulary_problems(project.rel(schema_file), schema_file.read_text(encoding="utf-8"))
    cause = _csv_cause(f, raw.decode("utf-8"), names)
    if cause:  # the file cannot be read as its schema says: report why, not every row that follows
        return problems + [cause], used
    # The dialect is fixed, never sniffed: sniffing misreads files whose notes hold commas.
    dialect = Dialect(header_rows=[1], controls=[formats.CsvControl(delimiter=",", quote_char='"', double_quote=True)])
    resource = Resource(
        path=csv.name, basepath=str(data), schema=schema, encoding="utf-8", format="csv", dialect=dialect
    )
    report = resource.validate()
    for task in report.tasks:
        for err in task.errors:
            problems.append(_frictionless_problem(f, err))
    # Provenance: the rows' sources, for the registry cross-check.
    header = None
    for lineno, row in enumerate(_csv_rows(raw.decode("utf-8")), start=1):
        if header is None:
            header = row
            continue
        rec = dict(zip(header, row))
        if rec.get("source"):
            used.setdefault(rec["source"], (f, lineno))
    if not problems:
        problems += edition_problems(f, project.rel(schema_file), descriptor, raw.decode("utf-8"))
    return problems, used


def _key(node: Any, key: str) -> Any:
    """The value node of `key` in a composed YAML mapping, with the key's node; (None, None) if absent."""
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return k, v
    return None, None


def vocabulary_problems(schema_f: str, text: str) -> list[Problem]:
    """A column whose values are one of the engine's vocabularies (`settings.COLUMN_VOCABULARIES`:
    `status`) must list exactly its names in its schema's `enum`, so the data, the data dictionary and
    the pages agree on what a value can be. Named at the line of the `enum` (or of the column)."""
    try:
        root = yaml.compose(text, Loader=SAFE_LOADER)
    except yaml.YAMLError:
        return []  # reported as an invalid Table Schema
    _, fields = _key(root, "fields")
    problems: list[Problem] = []
    for field in fields.value if isinstance(fields, yaml.SequenceNode) else []:
        _, name = _key(field, "name")
        if not isinstance(name, yaml.ScalarNode) or name.value not in settings.COLUMN_VOCABULARIES:
            continue
        expected = settings.names(settings.COLUMN_VOCABULARIES[name.value])
        key, enum = _key(_key(field, "constraints")[1], "enum")
        listed = None
        if isinstance(enum, yaml.SequenceNode):
            listed = [v.value for v in enum.value if isinstance(v, yaml.ScalarNode)]
        if listed is not None and sorted(listed) == sorted(expected):
            continue
        if listed is None:
            what = "has no enum"
        else:
            missing = [v for v in expected if v not in listed]
            unknown = [v for v in listed if v not in expected]
            what = (
                "; ".join(
                    part
                    for part in (
                        f"missing {', '.join(map(_quote, missing))}" if missing else "",
                        f"unknown {', '.join(map(_quote, unknown))}" if unknown else "",
                    )
                    if part
                )
                or "lists a value twice"
            )
        problems.append(
            Problem(
                schema_f,
                (key or field).start_mark.line + 1,
                f"column '{name.value}'",
                f"the enum must list the engine's {name.value} vocabulary, {', '.join(expected)}: {what}",
                "vocabulary",
            )
        )
    return problems


def edition_breaks(descriptor: dict[str, Any]) -> list[dict[str, Any]]:
    """A schema's declared edition breaks: [{'at': <time value or 'every'>, 'label': str}]."""
    out = descriptor.get(settings.EDITION_BREAKS_KEY) or []
    return out if isinstance(out, list) else []


def edition_problems(f: str, schema_f: str, descriptor: dict[str, Any], text: str) -> list[Problem]:
    """A series whose values come from more than one edition (or vintage) of a publication, where
    the schema declares no break: charts would stitch editions into one line unmarked.

    A series is the primary key less its time column (year, date, ...) and the edition column;
    an edition column that is part of the primary key makes each edition its own series."""
    names = [fd.get("name") for fd in descriptor.get("fields", []) if isinstance(fd, dict)]
    ed = settings.EDITION_FIELD
    if ed not in names:
        return []
    key = descriptor.get("primaryKey") or []
    key = [key] if isinstance(key, str) else list(key)
    time = next((k for k in key if k in settings.TIME_COLUMNS), None)
    problems: list[Problem] = []
    breaks = edition_breaks(descriptor)
    for b in breaks:
        if not isinstance(b, dict) or "at" not in b or not str(b.get("label") or "").strip():
            problems.append(
                Problem(
                    schema_f,
                    None,
                    settings.EDITION_BREAKS_KEY,
                    f"each break needs 'at' (a {time or 'time'} value, or 'every') and the 'label' the chart "
                    f"draws: {b!r}",
                    "edition-break",
                )
            )
    if problems or time is None or ed in key:
        return problems
    every = any(str(b.get("at")) == "every" for b in breaks)
    allowed = {str(b.get("at")) for b in breaks}
    series_cols = [k for k in key if k not in (time, ed)]
    rows: dict[tuple, list[tuple[str, str, int]]] = {}
    header = None
    for lineno, row in enumerate(_csv_rows(text), start=1):
        if header is None:
            header = row
            continue
        rec = dict(zip(header, row))
        rows.setdefault(tuple(rec.get(c, "") for c in series_cols), []).append(
            (rec.get(time, ""), rec.get(ed, ""), lineno)
        )
    for series, items in rows.items():
        items.sort(key=lambda t: t[0])
        for (t0, e0, _), (t1, e1, line) in zip(items, items[1:]):
            if e0 != e1 and not every and t1 not in allowed:
                where = ", ".join(f"{c}={v}" for c, v in zip(series_cols, series)) or "the series"
                problems.append(
                    Problem(
                        f,
                        line,
                        where,
                        f"the edition changes from {_quote(e0)} ({time} {t0}) to {_quote(e1)} ({time} {t1}) with no "
                        f"declared break: take one edition for the series, or declare the break in {schema_f} "
                        f"({settings.EDITION_BREAKS_KEY}: - at: {t1}, label: ...) and draw it on the chart",
                        "edition-break",
                    )
                )
    return problems


def _csv_cause(f: str, text: str, names: list[str]) -> Problem | None:
    """A fault that makes every later row look wrong: a header that does not match the schema, or
    a quote left open (a cell that runs on over the next lines). One problem, at its line."""
    import csv as _csv
    import io

    reader = _csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except (StopIteration, _csv.Error):
        return None
    if header != names:
        missing = [n for n in names if n not in header]
        extra = [h for h in header if h not in names]
        what = (
            (f"missing column(s) {', '.join(map(_quote, missing))}" if missing else "")
            + ("; " if missing and extra else "")
            + (f"unknown column(s) {', '.join(map(_quote, extra))}" if extra else "")
        ) or "the columns are in another order"
        return Problem(
            f, 1, "", f"the header does not match the schema: {what} (expected: {','.join(names)})", "header"
        )
    line = 2
    try:
        for row in reader:
            start = line
            line = reader.line_num + 1
            # A cell may hold a line break; one that also leaves the row with too many cells is a
            # quote that was never closed.
            if reader.line_num + 1 - start > 1 and len(row) != len(names) and any("\n" in c for c in row):
                return Problem(
                    f,
                    start,
                    "",
                    f"a quote opened on line {start} is closed only on line {reader.line_num}: check the quotes on "
                    f"line {start} (a quote inside a quoted cell is written twice)",
                    "csv",
                )
    except _csv.Error as e:
        return Problem(f, reader.line_num, "", f"not valid CSV: {e}", "csv")
    return None


def _csv_rows(text: str) -> Iterable[list[str]]:
    import csv as _csv
    import io

    return _csv.reader(io.StringIO(text))


def _frictionless_problem(f: str, err: Any) -> Problem:
    row = getattr(err, "row_number", None)
    field = getattr(err, "field_name", None) or ""
    cell = getattr(err, "cell", None)
    etype = err.type
    place = f"column '{field}'" if field else ""
    if etype == "type-error":
        msg = f"{_quote(cell)} is not a valid {err.note.split()[-1].split('/')[0].strip(chr(34))}"
    elif etype == "constraint-error":
        value = _quote(cell) if cell not in (None, "None") else "an empty value"
        note = re.sub(r'^constraint "(\w+)" is ', r"\1 ", str(err.note))
        msg = f"{value} breaks the rule {note}"
    elif etype == "missing-cell":
        msg = "the row has too few cells (missing this column)"
    elif etype == "extra-cell":
        msg = f"the row has more cells than the header ({_quote(cell)} is extra)"
        place = ""
    elif etype == "primary-key":
        msg = f"duplicate key: {err.note}"
    elif etype in ("missing-label", "extra-label", "incorrect-label", "blank-label", "duplicate-label"):
        msg = f"header: {err.message}"
        row = 1
    else:
        msg = err.message
    return Problem(f, row, place, msg, etype)


# --- chart modules: held to the chart contract, read without importing them -------------


def check_charts(
    charts: Path, registry_ids: set[str] | None, project: Project | None = None
) -> tuple[list[Problem], set[str]]:
    """Each chart module held to the chart contract (explainer/core/chart_contract.py) from its
    source, never run, and the registry ids their SOURCES name. `registry_ids` None: the registry
    could not be read (no id is called unknown)."""
    project = project or current_project()
    problems: list[Problem] = []
    used: set[str] = set()
    for py in sorted(charts.glob("*.py")):
        if py.name.startswith("_"):
            continue
        f = project.rel(py)
        text = py.read_text(encoding="utf-8")
        try:
            declared, breaches = _read_chart(text, None if registry_ids is None else frozenset(registry_ids))
        except SyntaxError as e:
            problems.append(Problem(f, e.lineno, "", f"Python syntax error: {e.msg}", "python-syntax"))
            continue
        used |= set(declared)
        for b in breaches:
            problems.append(Problem(f, b.line, f"chart '{py.stem}'", b.message, b.rule))
    return problems, used


@functools.lru_cache(maxsize=256)
def _read_chart(text: str, registry_ids: frozenset[str] | None) -> tuple[tuple[str, ...], tuple]:
    """A chart module's declared sources and its breaches of the contract, kept per source text
    (under serve a data save checks every chart module again, unchanged). Raises SyntaxError."""
    tree = ast.parse(text)
    return tuple(chart_contract.declared_sources(tree)[0]), tuple(chart_contract.breaches_in_source(text, registry_ids))


# --- the claims ledger --------------------------------------------------------------


def check_claims(
    path: Path, registry_ids: set[str], docs: Path, broken: set[str] = frozenset(), project: Project | None = None
) -> tuple[list[Problem], set[str]]:
    """Problems in the ledger; evidence in datasets that have problems of their own is not evaluated."""
    project = project or current_project()
    f = project.rel(path)
    used: set[str] = set()
    if not path.exists():
        return [Problem(f, None, "", "the claims ledger is missing", "required-file")], used
    try:
        items = load_with_lines(path)
    except yaml.YAMLError as e:
        line, message = error_place(path.read_text(encoding="utf-8"), e)
        return [Problem(f, line, "", message, "yaml")], used
    if not isinstance(items, list) or not items:
        return [Problem(f, 1, "", "expected a non-empty list of claims", "claims-shape")], used
    problems: list[Problem] = []
    validator = jsonschema.Draft202012Validator(CLAIM_SCHEMA)
    seen: dict[str, int] = {}
    sections = {p.stem for p in docs.glob("*.md")}
    for item in items:
        if not isinstance(item, dict):
            problems.append(Problem(f, None, "claim", "not a mapping", "claims-shape"))
            continue
        line, place, cid = item.get("__line__"), f"claim {item.get('id', '?')}", item.get("id")
        if cid in seen:
            problems.append(Problem(f, line, place, f"duplicate id (first at line {seen[cid]})", "unique-id"))
        elif isinstance(cid, str):
            seen[cid] = line
        used |= set(item.get("sources") or [])
        for field, msg, rule in _claim_problems(item, validator, registry_ids, sections, broken, project):
            at = item.get(field.split(".")[0]) if field else None
            at_line = at.get("__line__", line) if isinstance(at, dict) else line
            problems.append(Problem(f, at_line, f"{place} field '{field}'" if field else place, msg, rule))
    problems += _year_slip_problems(f, [i for i in items if isinstance(i, dict)])
    return problems, used


def _year_slip_problems(f: str, items: list[dict]) -> list[Problem]:
    """A `year_slip` names another claim that exists, is computed and carries its own year."""
    by_id = {i.get("id"): i for i in items}
    out = []
    for item in items:
        target = item.get("year_slip")
        if not isinstance(target, str):
            continue
        place = f"claim {item.get('id', '?')} field 'year_slip'"
        other = by_id.get(target)
        if other is None or target == item.get("id"):
            out.append(
                Problem(f, item.get("__line__"), place, f"names {_quote(target)}, not another claim", "year-slip")
            )
        elif "compare" not in other or other.get("year_slip"):
            out.append(
                Problem(
                    f,
                    item.get("__line__"),
                    place,
                    f"claim {target} must be computed and hold the slip itself",
                    "year-slip",
                )
            )
    return out


def _claim_problems(
    item: dict, validator, registry_ids: set[str], sections: set[str], broken: set[str], project: Project | None = None
):
    """(field or "", message, rule) for each problem of one claim."""
    project = project or current_project()
    errors = list(validator.iter_errors(strip_lines(item)))
    for err in errors:
        field = ".".join(str(p) for p in err.path)
        msg = _schema_message(err)
        if err.validator == "if" or "should not be valid" in msg:
            msg = "a computed claim ('compare') must not also type a verdict"
        yield field, msg, f"schema:{err.validator}"
    words = len(str(item.get("quote", "")).split())
    if words > MAX_QUOTE_WORDS:
        yield "", f"the quote has {words} words; quote at most {MAX_QUOTE_WORDS}", "short-quote"
    if item.get("section") not in sections:
        yield "", f"section {_quote(item.get('section'))} is not a page in docs/", "claim-section"
    for sid in item.get("sources") or []:
        if sid not in registry_ids:
            yield "", f"source {_quote(sid)} is not in the registry{did_you_mean(sid, registry_ids)}", "unknown-source"
    if errors:
        return
    claim = Claim.from_dict(strip_lines(item))  # the schema holds: the record the engine reads
    for msg, rule in C.written_problems(claim):
        block = msg.split(".")[0].strip("'") if rule == "exception-reason" else ""
        yield block, msg, rule
    if not claim.computed or C.datasets_of(claim) & broken:
        return
    try:
        result = C.evaluate(claim, project)
        if item.get("year_slip") and result.verdict != "different year":
            yield (
                "year_slip",
                f"names the same slip of year as {item['year_slip']}, but the rules find no slip here "
                f"(they give '{result.verdict}')",
                "year-slip",
            )
    except C.EvidenceError as e:
        yield "", str(e), "evidence"
    except Exception as e:  # noqa: BLE001 - reported with its claim, never a crash
        yield "", f"evidence could not be read: {e}", "evidence"


# --- the readers' corrections ledger --------------------------------------------------

CORRECTION_FIELDS = {"date", "page", "claim", "before", "after", "why"}
CORRECTION_REQUIRED = ("date", "page", "before", "after", "why")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def check_corrections(
    path: Path, claim_ids: set[str] | None, docs: Path, project: Project | None = None
) -> list[Problem]:
    """Each correction names a date (quoted, not in the future), a page that exists, a claim that
    exists (when it names one) and says what the page said, says now, and why. The file is
    optional, and may hold no entries yet. `claim_ids` None: the ledger could not be read."""
    project = project or current_project()
    f = project.rel(path)
    if not path.exists():
        return []
    try:
        items = load_with_lines(path)
    except yaml.YAMLError as e:
        line, message = error_place(path.read_text(encoding="utf-8"), e)
        return [Problem(f, line, "", message, "yaml")]
    if items is None:
        return []
    if not isinstance(items, list):
        return [Problem(f, 1, "", "expected a list of corrections (each starting with '- date:')", "corrections-shape")]
    pages = {p.stem for p in docs.glob("*") if p.suffix in (".md", ".py", ".ipynb")}
    problems = []
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict):
            problems.append(Problem(f, None, f"correction {n}", "not a mapping of fields", "corrections-shape"))
            continue
        for field, message, rule in _correction_problems(item, pages, claim_ids):
            place = f"correction {n} field '{field}'" if field else f"correction {n}"
            problems.append(Problem(f, item.get("__line__"), place, message, rule))
    return problems


def _correction_problems(item: dict, pages: set[str], claim_ids: set[str] | None):
    """(field or "", message, rule) for each problem of one correction."""
    from datetime import UTC, date, datetime

    for key in sorted(set(item) - CORRECTION_FIELDS - {"__line__"}):
        yield "", f"unknown field {_quote(key)} (fields: {', '.join(sorted(CORRECTION_FIELDS))})", "corrections-field"
    for key in CORRECTION_REQUIRED:
        value = item.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            yield key, "missing or empty", "corrections-field"
        elif key != "date" and not isinstance(value, str):
            yield key, f"expected text, got {_quote(value)}", "corrections-field"
    when = item.get("date")
    if isinstance(when, date):
        yield "date", f'write the date in quotes, "{when.isoformat()}", so it stays as written', "corrections-date"
    elif isinstance(when, str) and when.strip():
        try:
            day = date.fromisoformat(when) if DATE.match(when) else None
        except ValueError:
            day = None
        if day is None:
            yield "date", f"{_quote(when)} is not a date written YYYY-MM-DD", "corrections-date"
        elif day > datetime.now(UTC).date():
            yield "date", f"{_quote(when)} is in the future", "corrections-date"
    page = item.get("page")
    if isinstance(page, str) and page.strip() and page not in pages:
        message = f"{_quote(page)} is not a page in docs/ (write the file's stem; 'index' for the home page)"
        yield "page", message, "corrections-page"
    claim = item.get("claim")
    if claim is not None and claim_ids is not None and str(claim) not in claim_ids:
        known = did_you_mean(claim, claim_ids)
        yield "claim", f"{_quote(claim)} is not a claim in {settings.CLAIMS_FILE}{known}", "corrections-claim"


def _claim_ids(path: Path) -> set[str] | None:
    """The ledger's claim ids, or None when it cannot be read (reported by check_claims)."""
    try:
        ledger = load_with_lines(path)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    return {str(c.get("id")) for c in ledger if isinstance(c, dict)} if isinstance(ledger, list) else None


# --- everything ----------------------------------------------------------------------


def _label_problems(
    data: Path, entries: list[dict], registry_read: bool, project: Project | None = None
) -> list[Problem]:
    """producers.yaml, the registry's labels against it, and files named in our data's words."""
    project = project or current_project()
    problems, producers = check_producers(data / settings.PRODUCERS_FILE, project)
    if registry_read and not problems:
        problems += provenance_problems(data / settings.REGISTRY_FILE, entries, producers, project)
    return problems + note_file_problems(data, project)


def check_all(project: Project | None = None) -> list[Problem]:
    """Every problem of `project` (else the process's project): its data folder, chart modules and
    pages, in one run, with file names as its author sees them."""
    project = project or current_project()
    data, charts, docs = project.data, project.charts, project.docs
    problems, entries = check_registry(data / settings.REGISTRY_FILE, project)
    registry_ids = {e["id"] for e in entries if isinstance(e.get("id"), str)}
    # A registry that cannot be read makes every source look unknown: report the cause alone.
    registry_read = not any(p.rule in ROOT_CAUSES for p in problems)
    problems += _label_problems(data, entries, registry_read, project)
    used: set[str] = set()

    schemas = {p.name[: -len(settings.SCHEMA_SUFFIX)] for p in data.glob(f"*{settings.SCHEMA_SUFFIX}")}
    csvs = {p.stem for p in data.glob("*.csv")}
    for orphan in sorted(csvs - schemas):
        problems.append(
            Problem(
                project.rel(data / f"{orphan}.csv"),
                None,
                "",
                f"no schema: add {orphan}{settings.SCHEMA_SUFFIX}",
                "required-file",
            )
        )
    cited: dict[str, tuple[str, int]] = {}
    broken: set[str] = set(schemas - csvs)
    for name in sorted(schemas):
        found, srcs = check_dataset(name, data, project)
        problems += found
        if found:
            broken.add(name)
        for sid, where in srcs.items():
            cited.setdefault(sid, where)
    used |= set(cited)
    for sid, (f, line) in sorted(cited.items()):
        if registry_read and sid not in registry_ids:
            problems.append(
                Problem(
                    f,
                    line,
                    "column 'source'",
                    f"{_quote(sid)} is not in the registry ({settings.REGISTRY_FILE}){did_you_mean(sid, registry_ids)}",
                    "unknown-source",
                )
            )

    found, srcs = check_charts(charts, registry_ids if registry_read else None, project)
    problems += found
    used |= srcs

    if registry_read:
        found, srcs = check_claims(data / settings.CLAIMS_FILE, registry_ids, docs, broken, project)
        problems += found
        used |= srcs

    problems += check_corrections(
        data / settings.CORRECTIONS_FILE, _claim_ids(data / settings.CLAIMS_FILE), docs, project
    )

    if not problems:  # checks that only make sense once everything else holds
        problems += (
            note_claim_problems(data / settings.REGISTRY_FILE, entries, project)
            + row_note_claim_problems(data, project)
            or dictionary_problems(data, project)
            or essay_problems(project)
        )
    # A dataset that cannot be read cites nothing: its sources would all look unused.
    for e in entries if registry_read and not broken else []:
        if isinstance(e.get("id"), str) and e["id"] not in used:
            problems.append(
                Problem(
                    project.rel(data / settings.REGISTRY_FILE),
                    e.get("__line__"),
                    f"entry '{e['id']}'",
                    "not used by any dataset, chart or claim",
                    "unused-source",
                )
            )
    return problems


def dictionary_problems(data: Path, project: Project | None = None) -> list[Problem]:
    """data/README.md is generated from the schemas and vocabularies; a stale one says how to fix it."""
    project = project or current_project()
    from explainer.steps import datadict

    if datadict.check(project):
        return []
    return [
        Problem(
            project.rel(data / settings.DATA_DICTIONARY),
            None,
            "",
            "the data dictionary is out of date with the schemas: run `python -m explainer datadict --write`",
            "stale-dictionary",
        )
    ]


def essay_problems(project: Project | None = None) -> list[Problem]:
    """The annotated essay's, if the project has one: every claim's quote in its text, and every
    sentence no claim checks sorted in the file `extra.essay.sentences` names."""
    project = project or current_project()
    from explainer.content import essay  # imports the page-building modules: only once the data hold

    return essay.check(D.claims(project), project)


def note_claim_problems(registry_file: Path, entries: list[dict], project: Project | None = None) -> list[Problem]:
    """A registry note that names a claim (an id shaped like the ledger's: a prefix and digits)
    must name one that exists and cites the entry, or the note has gone stale."""
    project = project or current_project()
    claims = {c.id: c for c in D.claims(project)}
    prefixes = sorted({re.match(r"[A-Za-z]+", cid).group(0) for cid in claims if re.match(r"[A-Za-z]+\d", cid)})
    if not prefixes:
        return []
    ref = re.compile(r"\b(?:" + "|".join(map(re.escape, prefixes)) + r")\d+\b")
    out = []
    for e in entries:
        for cid in sorted(set(ref.findall(str(e.get("notes") or "")))):
            where = (project.rel(registry_file), e.get("__line__"), f"entry '{e.get('id')}' field 'notes'")
            if cid not in claims:
                out.append(Problem(*where, f"names claim {cid}, which is not in the ledger", "note-claim"))
            elif e.get("id") not in C.sources_of(claims[cid], project):
                out.append(Problem(*where, f"names claim {cid}, which does not cite this entry", "note-claim"))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m explainer check-data", description=__doc__.splitlines()[0])
    ap.parse_args(argv)
    project = current_project()
    try:
        problems = check_all(project)
    except Exception as e:  # noqa: BLE001 - an author sees one line, never a traceback
        print(f"check-data: could not finish: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    # Causes first (a file that cannot be read), then the rest by file and line.
    for p in sorted(problems, key=Problem.order):
        print(p)
    if problems:
        print(f"check-data: {len(problems)} problem(s) found", file=sys.stderr)
        return 1
    n = len(list(project.data.glob(f"*{settings.SCHEMA_SUFFIX}")))
    print(f"check-data: {n} datasets, the registry and the claims ledger are valid")
    return 0
