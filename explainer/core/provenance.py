"""Whose page a figure was read in: the producer's own site, or someone else's.

`producers.yaml` declares, once, the sites that belong to each producer (and to each publisher a
first-hand page may stand on, such as the compiler of a dataset or a government department): a
host (`pewresearch.org`, covering its subdomains) or, on a host many people publish on, an
account (`github.com/owid`). check-data holds the registry to it (a first-hand kind or a high
rating needs a page on the named organisation's own site), and source lines use it to say who
published the page read ("IFR figures, via a copy in sjaubert/Cours-IA (GitHub)").
"""

from __future__ import annotations

from urllib.parse import urlparse

from explainer.core import settings
from explainer.core.records import Source

CANONICAL_HOST = {"raw.githubusercontent.com": "github.com"}


def _host(url: str) -> str:
    host = (urlparse(url).hostname or "").lower().rstrip(".")
    host = host.removeprefix("www.")
    return CANONICAL_HOST.get(host, host)


def place(url: str) -> str:
    """Where a page stands, as sites are declared: the host, or host/account on a shared host."""
    host = _host(url)
    if host in settings.SHARED_HOSTS or host in CANONICAL_HOST.values():
        parts = [p for p in urlparse(url).path.split("/") if p]
        return f"{host}/{parts[0].lower()}" if parts else host
    return host


def on_site(url: str, site: str) -> bool:
    """Whether `url` stands on `site` (a host with its subdomains, or host/account)."""
    site = site.lower().removeprefix("www.")
    if "/" in site:
        return place(url) == site
    host = _host(url)
    return host == site or host.endswith("." + site)


def declared(name: str | None, producers: dict[str, dict]) -> dict | None:
    """The producers.yaml item for a registry name: exact, else by the part before any parenthesis
    ("Mint (reprinting The Economist)" is Mint)."""
    if not isinstance(name, str):
        return None
    return producers.get(name) or producers.get(name.split(" (")[0].strip())


def owner_of(entry: Source, producers: dict[str, dict]) -> str | None:
    """Who, of the entry's producer and publisher, owns the site its URL stands on (None: neither)."""
    for who in (entry.producer, entry.publisher):
        sites = (declared(who, producers) or {}).get("sites") or []
        if any(on_site(entry.url_main or "", s) for s in sites):
            return who
    return None


def is_own_page(entry: Source, producers: dict[str, dict]) -> bool:
    """The page read is the producer's (or the named publisher's, e.g. the compiler's) own."""
    return owner_of(entry, producers) is not None


def short_name(name: str, producers: dict[str, dict]) -> str:
    """How a source line names an organisation: its declared short name, else its name before any
    parenthesis."""
    return (declared(name, producers) or {}).get("short") or name.split(" (")[0].strip()


def _where(url: str) -> tuple[str, str | None]:
    """(the page's place, the shared host's name or None): ("sjaubert/Cours-IA", "GitHub")."""
    host = _host(url)
    if host in settings.SHARED_HOSTS:
        parts = [p for p in urlparse(url).path.split("/") if p]
        if parts:
            return "/".join(parts[:2]), settings.SHARED_HOSTS[host]
    return host, None


def label(entry: Source, producers: dict[str, dict], figures: bool = True) -> str:
    """A source's name in a source line or on a card: the producer (and where) when the page is its
    own; else whose figures, through what kind of page, published by whom and where. Never the
    producer alone beside someone else's host."""
    producer = short_name(entry.producer, producers)
    where, shared = _where(entry.url_main)
    owner = owner_of(entry, producers)
    whose = f"{producer} figures" if figures else producer  # words (a quote, a finding) are not figures
    if owner is not None and owner == entry.producer:
        if shared:
            return f"{producer} ({where} on {shared})"
        return producer if where in entry.producer.lower() else f"{producer} ({where})"
    publisher = short_name(entry.publisher, producers) if entry.publisher else ""
    at = f"in {where} ({shared})" if shared else f"({where})"
    phrase = entry.read_as or settings.KIND_PHRASES.get(entry.kind, (None,))[0]
    if phrase is None:  # a first-hand page on the publisher's own site (a department, a compiler)
        return f"{whose}, published by {publisher} {at}"
    account = where.split("/")[0].lower()
    by = f" by {publisher}" if publisher and publisher.lower() not in (account, where.lower()) else ""
    return f"{whose}, via {phrase}{by} {at}"
