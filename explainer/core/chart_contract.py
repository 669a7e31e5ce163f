"""What a chart module must provide: the contract between `charts/<chart_id>.py` and the engine.

A chart module is a plain Python file; the engine finds it by discovery (every `charts/*.py` not
starting with `_`) and never imports one by name. `PARTS` states what the module gives, and both
checkers hold a module to it in the same words:

- `check-data` reads the module's source without running it (`breaches_in_source`);
- the render step checks the imported module (`breaches_in_module`) before it calls `build()`, then
  what `build()` returns: SOURCES names only pages the plotted rows were read in, the source line
  has at most `settings.MAX_SOURCE_LINKS` links (`links_breach`), TABLE names columns readers can
  read (`render.table_columns`).

Like datasette's `hookspecs.py` for plugins, this is the one place the contract is written;
ARCHITECTURE.md ("Where to add things: A chart") points here.
"""

from __future__ import annotations

import ast
import inspect
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from explainer.core import settings
from explainer.core.problems import did_you_mean


@dataclass(frozen=True)
class Part:
    """One thing a chart module gives."""

    name: str  # the module's name for it ("docstring" for the module's docstring)
    required: bool
    shape: str  # doc | function | ids (registry ids, written out) | text | names (column names)
    what: str  # what it is for, in words


PARTS: tuple[Part, ...] = (
    Part(
        "docstring",
        True,
        "doc",
        "the title line, then the takeaway paragraph: the chart's headline (the figure does not repeat it)",
    ),
    Part(
        "build",
        True,
        "function",
        "build() returns an Altair chart of data read with load(...); its first layer's data is the table "
        "readers see and the CSV download",
    ),
    Part(
        "SOURCES",
        True,
        "ids",
        "the registry ids the source line links, written out as a list (check-data reads it without running "
        "the module): only pages the plotted rows were read in, and at most settings.MAX_SOURCE_LINKS links in "
        "all (name one fewer when the rows cite other pages too: they get one 'all pages read' link)",
    ),
    Part(
        "CREDIT",
        False,
        "text",
        "the producers and publications, in words, as Our World in Data credits them (else the producers of "
        "the sources, from the registry)",
    ),
    Part("SUBTITLE", False, "text", "the measure and its unit, never the source (the page prints one source line)"),
    Part(
        "TABLE",
        False,
        "names",
        "the table's columns, when not every column of the first layer's data: each in a schema of a dataset "
        "the chart reads, or titled in the chart's tooltip",
    ),
    Part("key_numbers", False, "function", "key_numbers() returns the figures the alt text adds, as readers read them"),
)


@dataclass(frozen=True)
class Breach:
    """A way a chart module breaks the contract, in the words both checkers report."""

    message: str
    rule: str  # the problem's rule: chart-sources, unknown-source or chart-contract
    line: int | None = None  # the line of the module it points to, when known


@dataclass(frozen=True)
class Given:
    """What a module gives for one name: a function, a value, or an expression not written out."""

    kind: str  # function | value | expression
    value: Any = None
    line: int | None = None


def doc_lines(doc: str | None) -> tuple[str, str]:
    """The title (the docstring's first line) and the takeaway (its next paragraph, joined); "" for
    either when it is missing."""
    title, _, rest = (doc or "").strip().partition("\n")
    return title.strip(), " ".join(rest.strip().split("\n\n")[0].split())


def _given_in_tree(tree: ast.Module) -> dict[str, Given]:
    """The names a module's top level gives, read without running it (a later assignment wins)."""
    out: dict[str, Given] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out[node.name] = Given("function", line=node.lineno)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Name) and node.value is not None:
                    try:
                        out[t.id] = Given("value", ast.literal_eval(node.value), node.lineno)
                    except ValueError:
                        out[t.id] = Given("expression", line=node.lineno)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:  # an imported name may be a function (a shared build)
                out[(alias.asname or alias.name).split(".")[0]] = Given("expression", line=node.lineno)
    return out


def declared_sources(tree: ast.Module) -> tuple[list[str], int | None]:
    """SOURCES as written in the module, and its line ([] when absent or not written out)."""
    given = _given_in_tree(tree).get("SOURCES")
    if given is None:
        return [], None
    ids = given.value if given.kind == "value" and _is_names(given.value) else []
    return list(ids), given.line


def breaches_in_source(text: str, registry_ids: set[str] | None = None) -> list[Breach]:
    """check-data's reading: the contract held against a module's source, never run. `registry_ids`
    None: the registry could not be read, so no id is called unknown. Raises SyntaxError."""
    tree = ast.parse(text)
    return _breaches(ast.get_docstring(tree), _given_in_tree(tree), registry_ids)


def breaches_in_module(module: Any, registry_ids: set[str] | None = None) -> list[Breach]:
    """The render step's reading: the contract held against the imported module (lines from its
    source when it can be read)."""
    lines: dict[str, Given] = {}
    try:
        lines = _given_in_tree(ast.parse(Path(module.__file__).read_text(encoding="utf-8")))
    except (OSError, TypeError, AttributeError, SyntaxError, ValueError):
        pass
    given = {}
    for part in PARTS:
        if part.shape != "doc" and hasattr(module, part.name):
            value = getattr(module, part.name)
            line = lines[part.name].line if part.name in lines else None
            given[part.name] = Given("function", line=line) if callable(value) else Given("value", value, line)
    return _breaches(inspect.getdoc(module), given, registry_ids)


def _is_names(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)


def _breaches(doc: str | None, given: dict[str, Given], registry_ids: set[str] | None) -> list[Breach]:
    out: list[Breach] = []
    for part in PARTS:
        g = given.get(part.name)
        if part.shape == "doc":
            title, takeaway = doc_lines(doc)
            if not title or not takeaway:
                out.append(Breach("the module docstring needs a title line and a takeaway line", "chart-contract", 1))
            continue
        if g is None:
            if part.required:
                out.append(_missing(part))
            continue
        if part.shape == "function" and g.kind == "value":
            out.append(Breach(f"{part.name} must be a function: {part.what}", "chart-contract", g.line))
        elif part.shape == "text" and g.kind == "value" and not isinstance(g.value, str):
            out.append(Breach(f"{part.name} must be text: {part.what}", "chart-contract", g.line))
        elif part.shape == "names" and g.kind == "value" and not _is_names(g.value):
            out.append(Breach(f"{part.name} must be a list of column names: {part.what}", "chart-contract", g.line))
        elif part.shape == "ids":
            out += _sources_breaches(g, registry_ids)
    return out


_NO_SOURCES = "SOURCES is missing or empty: declare the registry ids the chart draws on"


def _missing(part: Part) -> Breach:
    if part.name == "SOURCES":
        return Breach(_NO_SOURCES, "chart-sources")
    if part.shape == "function":
        return Breach(f"the module has no {part.name}() function", "chart-contract")
    return Breach(f"the module has no {part.name}: {part.what}", "chart-contract")


def _sources_breaches(g: Given, registry_ids: set[str] | None) -> list[Breach]:
    if g.kind != "value" or not _is_names(g.value):
        return [
            Breach(
                "SOURCES must be a list of registry ids written out (check-data reads it without running the module)",
                "chart-sources",
                g.line,
            )
        ]
    if not g.value:
        return [Breach(_NO_SOURCES, "chart-sources", g.line)]
    out = []
    unknown = [s for s in g.value if registry_ids is not None and s not in registry_ids]
    if unknown:
        named = ", ".join(u + did_you_mean(u, registry_ids or ()) for u in unknown)
        out.append(Breach(f"SOURCES names unknown registry ids: {named}", "unknown-source", g.line))
    breach = links_breach(list(g.value), [])
    if breach:
        out.append(Breach(breach, "chart-sources", g.line))
    return out


def links_breach(declared: list[str], row_sources: list[str]) -> str | None:
    """The source line's links: one per SOURCES id, and one "all pages read" link when the plotted rows
    cite pages SOURCES does not name; at most settings.MAX_SOURCE_LINKS in all (None: within it)."""
    extra = 1 if any(s not in declared for s in row_sources) else 0
    most = settings.MAX_SOURCE_LINKS
    if len(declared) + extra <= most:
        return None
    return (
        f"SOURCES names {len(declared)} entries: a source line shows at most {most} links, "
        f"so name at most {most - extra} (the rows' other sources get one link)"
    )
