"""YAML loading that remembers the line of every list item, for error messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

# libyaml's loader when PyYAML has it: the registry is long and pure-Python YAML is slow.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_Base):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    mapping = _Base.construct_mapping(loader, node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_with_lines(path: Path) -> Any:
    """Mappings get a `__line__` key; raises yaml.YAMLError (with a mark) on bad YAML."""
    text = path.read_bytes().decode("utf-8")
    return yaml.load(text, Loader=_LineLoader)


def strip_lines(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: strip_lines(v) for k, v in obj.items() if k != "__line__"}
    if isinstance(obj, list):
        return [strip_lines(v) for v in obj]
    return obj
