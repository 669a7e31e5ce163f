"""The registry's, the claims ledger's and producers.yaml's fields, as JSON Schemas: what `check-data`
enforces and what the data dictionary lists (one definition, so the two cannot drift). What the rest
of the engine gets, once they validate, is the typed records of `records.py`."""

from __future__ import annotations

from typing import Any

from explainer.core import claims, settings

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


# claims.yaml: one item per claim the explainer checks.
_CLAIM_ID = r"^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$"
_SELECTOR = {
    "type": "object",
    "required": ["dataset", "where", "column"],
    "additionalProperties": False,
    "properties": {
        "dataset": {"type": "string"},
        "where": {"type": "object", "minProperties": 1},
        "column": {"type": "string"},
    },
}

CLAIM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "section", "quote"],
    "additionalProperties": False,
    "properties": {
        "__line__": {"type": "integer"},
        "id": {"type": "string", "pattern": _CLAIM_ID},
        "section": {"type": "string"},
        "quote": {"type": "string", "minLength": 3},
        "figure": {
            "type": "object",
            "required": ["value", "unit"],
            "additionalProperties": False,
            "properties": {
                "value": {"type": ["number", "string"]},
                "unit": {"type": "string"},
                "year": {"type": ["integer", "string", "null"]},
                # How the essay words it: "about X" (as written), "over X" (a floor), "under X" (a ceiling).
                "reading": {"enum": settings.names(settings.READINGS)},
            },
        },
        # A written claim's figure from the sources, which the rules compare with the essay's.
        "found": {
            "type": "object",
            "required": ["value"],
            "additionalProperties": False,
            "properties": {
                "value": {"type": "number"},
                "year": {"type": ["integer", "string", "null"]},
                "cap": {"enum": settings.CAPS},
                "cap_reason": {"type": "string"},
            },
        },
        "compare": {
            "type": "object",
            "required": ["op", "of"],
            "additionalProperties": False,
            "properties": {
                "op": {"enum": list(claims.OPS)},
                "of": {"type": "array", "items": _SELECTOR, "minItems": 1},
                "tolerance": {"type": "number", "exclusiveMinimum": 0, "maximum": 0.5},
                "tolerance_reason": {"type": "string"},
                "year": {"type": ["integer", "string"]},
                "cap": {"enum": settings.CAPS},
                "cap_reason": {"type": "string"},
                "threshold": {"type": "number"},  # 'below': the share (in percent) the card calls small
                "to": {"type": ["integer", "string"]},  # 'rose_every_year': the last year read
            },
        },
        "verdict": {"enum": settings.names(settings.VERDICTS)},
        "finding": {"type": "string", "minLength": 3},
        "sources": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "note": {"type": "string"},
        # The same slip of year as another claim: the figure is judged on its own and the slip is
        # counted once, on that claim's card.
        "year_slip": {"type": "string", "pattern": _CLAIM_ID},
    },
    "allOf": [
        # A computed claim carries no typed verdict; any other carries one.
        # Its sources come from the evidence rows (plus any listed); a written claim lists them.
        {
            "if": {"required": ["compare"]},
            "then": {"not": {"required": ["verdict"]}},
            "else": {"required": ["verdict", "finding", "sources"]},
        },
    ],
}
