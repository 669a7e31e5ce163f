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


# What each field of the ledger holds, in words, for the data dictionary (`datadict` lists every
# field of CLAIM_SCHEMA with its meaning here; a test fails when one is missing).
CLAIM_FIELD_MEANINGS = {
    "id": "the claim's id: its card's anchor, and what `{{ claim ID }}` and `{{ essay ID }}` name",
    "section": "the page whose `<!-- claims -->` shows its card: the page's file stem in docs/ (`index` for the home "
    "page)",
    "quote": f"the text's own words, at most {settings.MAX_QUOTE_WORDS} words",
    "figure": "the figure the text gives",
    "figure.value": "the figure as written (its precision counts: `6` is read as 5.5 to 6.5)",
    "figure.unit": "its unit, as cards print it (`percent`, `times`, `US$ billion`, or a word such as `widgets`)",
    "figure.year": "the year the text gives it for",
    "figure.reading": "how the text words it (`about` when absent); see reading below",
    "found": "a written claim's figure from the sources, which the rules compare with the text's",
    "found.value": "the figure the sources give",
    "found.year": "the year the sources give it for",
    "found.cap": "a verdict the claim is held at although the number holds (see compare.cap)",
    "found.cap_reason": "why, in words the card shows",
    "compare": "how the data decide the claim: the verdict is computed, never typed",
    "compare.op": "what is computed from the evidence rows; see op below",
    "compare.of": "the evidence rows: each picks one value, `{dataset: NAME, where: {COLUMN: VALUE, ...}, "
    "column: COLUMN}`",
    "compare.tolerance": "a wider margin than the 2% the rules allow (a fraction, at most 0.5); needs "
    "`tolerance_reason`",
    "compare.tolerance_reason": "why the wider margin, in words the card shows",
    "compare.year": "the year the data are read for, when the evidence rows do not name it",
    "compare.cap": "a verdict the claim is held at when its number holds but its wording does not; needs `cap_reason`",
    "compare.cap_reason": "why, in words the card shows",
    "compare.threshold": "for `below`: the share, in percent, the card calls small",
    "compare.to": "for `rose_every_year`: the last year read",
    "verdict": "a written verdict (a claim without `compare`); see verdict above",
    "finding": "what the sources show, in a sentence, for a written verdict",
    "sources": "registry ids the claim rests on (a computed claim's come from its evidence rows; these are added)",
    "note": "a sentence the card adds to what the data say",
    "year_slip": "another claim's id whose slip of year this one repeats: its card names that claim",
}
