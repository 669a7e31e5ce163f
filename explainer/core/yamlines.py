"""YAML loading that remembers the line of every list item, for error messages."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from explainer.core import files

# libyaml's loader when PyYAML has it: the registry is long and pure-Python YAML is slow. Every
# data file is read with it (the loader, the validator).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Base = SAFE_LOADER


class _LineLoader(_Base):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    # A key given twice in one mapping (two entries run together when a separating "- " line was
    # lost in a merge) would silently keep the second value: refuse it, at the repeated key's line.
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, str | int) and key in seen:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping",
                node.start_mark,
                f"the key '{key}' is given twice in one entry (did two entries run together?)",
                key_node.start_mark,
            )
        seen.add(key)
    mapping = _Base.construct_mapping(loader, node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


_parsed: dict[str, tuple[tuple, Any]] = {}


def load_with_lines(path: Path) -> Any:
    """Mappings get a `__line__` key; raises yaml.YAMLError (with a mark) on bad YAML.

    Kept per file version (size and time): under serve a saved dataset re-validates the registry
    and the ledger, which had not changed; callers get their own copy."""
    stamp = files.stat_key(path)
    kept = _parsed.get(str(path))
    if kept is None or kept[0] != stamp:
        text = Path(path).read_bytes().decode("utf-8")
        kept = _parsed[str(path)] = (stamp, yaml.load(text, Loader=_LineLoader))
    return copy.deepcopy(kept[1])


def strip_lines(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: strip_lines(v) for k, v in obj.items() if k != "__line__"}
    if isinstance(obj, list):
        return [strip_lines(v) for v in obj]
    return obj


def error_place(text: str, e: yaml.YAMLError) -> tuple[int | None, str]:
    """The line to show for a YAML error and what to say. An unbalanced quote makes the parser
    fail lines later, where the quoted value finally closes; name the line it opened on."""
    mark = getattr(e, "problem_mark", None)
    line = mark.line + 1 if mark else None
    message = f"not valid YAML: {getattr(e, 'problem', e)}"
    if mark is None:
        return line, message
    culprit = None
    try:
        for tok in yaml.scan(text, Loader=yaml.SafeLoader):
            if tok.end_mark.index > mark.index:
                break
            if isinstance(tok, yaml.ScalarToken) and tok.style in ("'", '"'):
                culprit = tok
    except yaml.YAMLError:
        pass
    if culprit and culprit.start_mark.line < culprit.end_mark.line and culprit.end_mark.line >= mark.line - 1:
        opened = culprit.start_mark.line + 1
        return opened, (
            f"not valid YAML: the {culprit.style} quote opened on line {opened} closes only on line "
            f"{culprit.end_mark.line + 1}; check the quotes on line {opened} (inside '...', write '' for an apostrophe)"
        )
    return line, message
