"""The source registry's fields, as a JSON Schema: what `check-data` enforces and what the data
dictionary lists (one definition, so the two cannot drift)."""

from __future__ import annotations

from typing import Any

from explainer.core import settings

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
        # How a source line names the page read when the kind's words are not precise enough:
        # "AI Index figures, via an unofficial transcription in ..." (e.g. "an unofficial transcription").
        "read_as": {"type": "string", "pattern": r"^(a|an|the) \S"},
        "reliability": {"enum": RELIABILITY},
        "date_published": {"type": ["string", "null"], "pattern": _DATE},  # null: the page shows no date
        "date_accessed": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        "license": {"type": ["string", "null"]},
        "notes": {"type": ["string", "null"]},
    },
}


# producers.yaml: one item per organisation whose own site a first-hand page may stand on.
_SITE = r"^[a-z0-9-]+(\.[a-z0-9-]+)+(/[A-Za-z0-9_.-]+)?$"
PRODUCERS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["name"],
    "additionalProperties": False,
    "properties": {
        "__line__": {"type": "integer"},
        "name": {"type": "string", "minLength": 2},  # as written in the registry's producer or publisher
        "short": {"type": "string", "minLength": 2},  # how source lines name it ("IFR")
        # A host (with its subdomains), or on a host many publish on, host/account ("github.com/owid").
        "sites": {"type": "array", "items": {"type": "string", "pattern": _SITE}},
        "note": {"type": "string"},  # why a site is the organisation's own, when it is not obvious
    },
}
