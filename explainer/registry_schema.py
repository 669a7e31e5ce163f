"""The source registry's fields, as a JSON Schema: what `check-data` enforces and what the data
dictionary lists (one definition, so the two cannot drift)."""

from __future__ import annotations

from typing import Any

from explainer import settings

KINDS = settings.names(settings.SOURCE_KINDS)
RELIABILITY = settings.names(settings.RELIABILITY)

_DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"
_URL = r"^https?://[^\s/$.?#][^\s]*$"

REGISTRY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [
        "id",
        "producer",
        "publisher",
        "title",
        "citation_full",
        "url_main",
        "kind",
        "reliability",
        "date_published",
        "date_accessed",
        "license",
        "notes",
    ],
    "additionalProperties": False,
    "properties": {
        "__line__": {"type": "integer"},
        "id": {"type": "string", "pattern": r"^[a-z0-9]+(-[a-z0-9]+)*$"},
        "producer": {"type": "string", "minLength": 2},
        "publisher": {"type": ["string", "null"], "minLength": 2},
        "title": {"type": "string", "minLength": 2},
        "citation_full": {"type": "string", "minLength": 10},
        "url_main": {"type": "string", "pattern": _URL},
        "primary": {"type": ["string", "null"]},
        "primary_url": {"type": ["string", "null"], "pattern": _URL},
        "url_archive": {"type": ["string", "null"], "pattern": r"^https?://web\.archive\.org/web/\S+$"},
        "kind": {"enum": KINDS},
        "reliability": {"enum": RELIABILITY},
        "date_published": {"type": ["string", "null"], "pattern": _DATE},  # null: the page shows no date
        "date_accessed": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        "license": {"type": ["string", "null"]},
        "notes": {"type": ["string", "null"]},
    },
}
