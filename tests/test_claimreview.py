"""Every checked claim is published as schema.org ClaimReview, on the page where its card stands."""

from __future__ import annotations

import json
import re

import jsonschema
from conftest import html_pages

from explainer.core import claims as C
from explainer.core import settings

# Written from schema.org's ClaimReview and the fields search engines require for fact-check
# markup: claimReviewed, reviewRating (alternateName, and a rating on a stated scale when given),
# url, author; datePublished is recommended.
CLAIM_REVIEW = {
    "type": "object",
    "required": ["@context", "@type", "url", "claimReviewed", "reviewRating", "author", "itemReviewed"],
    "properties": {
        "@context": {"const": "https://schema.org"},
        "@type": {"const": "ClaimReview"},
        "url": {"type": "string", "pattern": r"^https?://[^#\s]+#claim-[\w-]+$"},
        "claimReviewed": {"type": "string", "minLength": 3},
        "datePublished": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        "author": {
            "type": "object",
            "required": ["@type", "name", "url"],
            "properties": {"@type": {"enum": ["Organization", "Person"]}, "name": {"type": "string", "minLength": 1}},
        },
        "itemReviewed": {
            "type": "object",
            "required": ["@type", "appearance"],
            "properties": {"@type": {"const": "Claim"}},
        },
        "reviewRating": {
            "type": "object",
            "required": ["@type", "alternateName"],
            "properties": {
                "@type": {"const": "Rating"},
                "alternateName": {"enum": settings.names(settings.VERDICTS)},
                "ratingValue": {"type": "integer"},
            },
            "dependentRequired": {"ratingValue": ["bestRating", "worstRating"]},
        },
    },
}


def _reviews(site):
    out = []
    for page in html_pages(site):
        text = page.read_text(encoding="utf-8")
        for m in re.finditer(r'<script type="application/ld\+json">(.*?)</script>', text, re.S):
            data = json.loads(m.group(1))
            if data.get("@type") == "ClaimReview":
                out.append((page, text, data))
    return out


def test_one_valid_claim_review_per_checked_claim_on_its_card_page(site):
    reviews = _reviews(site)
    results = {r.id: r for r in C.evaluate_all()}
    ids = [d["url"].split("#claim-")[1] for _, _, d in reviews]
    assert sorted(ids) == sorted(results), "one ClaimReview per claim with a verdict"
    for page, text, data in reviews:
        jsonschema.validate(data, CLAIM_REVIEW)
        cid = data["url"].split("#claim-")[1]
        assert f'id="claim-{cid}"' in text, f"{cid}: the review's URL names a card not on {page.name}"
        r = results[cid]
        assert data["claimReviewed"] == r.claim.quote
        assert data["reviewRating"]["alternateName"] == r.verdict
        term = next(t for t in settings.VERDICTS if t.name == r.verdict)
        assert data["reviewRating"].get("ratingValue") == term.rating


def test_the_schema_rejects_a_review_without_a_verdict():
    bad = {"@context": "https://schema.org", "@type": "ClaimReview", "url": "https://x.org/p/#claim-C1"}
    try:
        jsonschema.validate(bad, CLAIM_REVIEW)
    except jsonschema.ValidationError:
        return
    raise AssertionError("a ClaimReview without reviewRating passed")
