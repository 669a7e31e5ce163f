"""`make linkcheck`: every external link of the site and every registry URL, checked on a schedule.

Never a pull-request gate, because the web is flaky: results are cached, requests retried and
throttled per host, bot-hostile hosts excluded by name in lychee.toml, and only definite
breakage (4xx other than 429, 5xx after re-checks, DNS failure) fails. Everything else is
reported. Registry URLs are mapped back to their source ids, and a broken one's `url_archive`
is suggested in its place.

    python -m explainer linkcheck SITE_DIR --report FILE [--registry data/sources.yaml]

Exit status: 0 clean, 1 broken links, 2 when the check itself could not run.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from explainer.checks.lychee import (
    ToolError,
    iter_results,
    lychee_env,
    lychee_version,
    run_lychee,
    show_path,
    site_or_fail,
)
from explainer.core import files, settings
from explainer.core.project import current_project
from explainer.core.yamlines import load_with_lines

LYCHEE_CONFIG = "lychee.toml"  # in the project folder
REGISTRY_FIELDS = ("url_main", "primary_url", "url_archive")
WAYBACK_SEARCH = "https://web.archive.org/web/*/"

# Outcomes, in the order the report's summary lists them.
OK = "ok"
REDIRECTED = "redirected"
RATE_LIMITED = "rate-limited (429)"
BROKEN = "broken (4xx)"
SERVER_ERROR = "server error (5xx)"
TIMEOUT = "timeout"
NETWORK = "DNS/network failure"
FRAGMENT = "missing fragment"
EXCLUDED = "excluded"
OTHER = "other error"


@dataclass(frozen=True)
class OutcomeRule:
    """What an outcome means for the check, in one place."""

    section: int  # the report's sections: what needs a fix first, what is fine last
    severity: int  # worst first, to pick one result when a URL was reported more than once
    fails: str  # "never", "always", "after re-checks" (a 5xx asked again), "dns" (a name that does not resolve)
    folded: bool = False  # its report section is folded away: nothing to look at

    @property
    def dead(self) -> bool:
        """A live URL in this state is "broken": the report suggests the entry's archived copy."""
        return self.fails != "never"

    def failing(self, dns: bool) -> bool:
        return self.fails in ("always", "after re-checks") or (self.fails == "dns" and dns)

    def recheck(self, dns: bool) -> bool:
        """lychee takes a 5xx or a failed DNS lookup at its word: asked again before it fails."""
        return self.fails in ("after re-checks", "dns") and self.failing(dns)

    @property
    def words(self) -> str:
        return {"always": "yes", "after re-checks": "yes, after re-checks", "dns": "DNS failure only"}.get(
            self.fails, "no"
        )


# Every outcome, in the order the report's summary lists them.
OUTCOME_RULES = {
    OK: OutcomeRule(9, 9, "never", folded=True),
    REDIRECTED: OutcomeRule(7, 7, "never", folded=True),
    RATE_LIMITED: OutcomeRule(5, 6, "never"),
    BROKEN: OutcomeRule(0, 0, "always"),
    SERVER_ERROR: OutcomeRule(1, 1, "after re-checks"),
    TIMEOUT: OutcomeRule(4, 5, "never"),
    NETWORK: OutcomeRule(2, 2, "dns"),
    FRAGMENT: OutcomeRule(3, 3, "never"),
    EXCLUDED: OutcomeRule(8, 8, "never", folded=True),
    OTHER: OutcomeRule(6, 4, "never"),
}
OUTCOMES = list(OUTCOME_RULES)
SECTION_ORDER = sorted(OUTCOMES, key=lambda o: OUTCOME_RULES[o].section)
DEAD = {o for o, r in OUTCOME_RULES.items() if r.dead}
_SEVERITY = {o: r.severity for o, r in OUTCOME_RULES.items()}

# Defaults for the command line; lychee's own settings live in lychee.toml.
RECHECK_ROUNDS = 2  # 5xx and DNS failures are asked again this many times...
RECHECK_WAIT = 30.0  # ...after this many seconds, doubling each round.


# ---------------------------------------------------------------------------------------------
# External links: classification


@dataclass(frozen=True)
class RegistryRef:
    """One registry field holding a URL."""

    id: str
    field: str
    line: int | None
    url_archive: str | None


@dataclass
class Link:
    """One unique external URL, its outcome and everywhere it occurs."""

    url: str
    outcome: str
    detail: str
    code: int | None = None
    dns: bool = False
    redirect_to: str | None = None
    cached: bool = False
    checks: int = 1
    pages: list[tuple[str, int]] = field(default_factory=list)
    refs: list[RegistryRef] = field(default_factory=list)

    @property
    def fails(self) -> bool:
        """Definite breakage: a 4xx other than 429, a 5xx after the re-checks, a DNS failure."""
        return OUTCOME_RULES[self.outcome].failing(self.dns)


def _is_dns_failure(text: str) -> bool:
    """lychee's wording for a name that does not resolve, not a resolver that is briefly down."""
    t = text.lower()
    if "temporar" in t:  # "DNS temporarily unavailable", "Temporary failure in name resolution"
        return False
    return any(
        s in t
        for s in (
            "dns resolution failed",
            "failed to lookup address",
            "name or service not known",
            "nodename nor servname",
            "no such host",
        )
    )


def classify(map_name: str, entry: dict[str, Any]) -> dict[str, Any]:
    """Outcome and details of one lychee result entry (its JSON shape as of lychee 0.24)."""
    status = entry.get("status") or {}
    text = str(status.get("text") or "")
    details = str(status.get("details") or "")
    code = status.get("code")
    code = int(code) if isinstance(code, int) or (isinstance(code, str) and code.isdigit()) else None
    chain = (entry.get("redirects") or {}).get("redirects") or []
    redirect_to = chain[-1].get("url") if chain else None
    cached = "(cached)" in text
    text = re.sub(r"^Rejected status code: ", "", text.replace(" (cached)", "")).strip()
    result: dict[str, Any] = {"code": code, "redirect_to": redirect_to, "dns": False, "cached": cached, "detail": text}
    if map_name == "excluded_map":
        result.update(outcome=EXCLUDED)
    elif map_name == "timeout_map":
        result.update(outcome=TIMEOUT, detail=details or text or "timed out")
    elif map_name == "success_map":
        if chain:
            result.update(
                outcome=REDIRECTED, detail=f"{chain[0].get('code', '3xx')} to {redirect_to} ({len(chain)} hop(s))"
            )
        else:
            result.update(outcome=OK)
    elif code == 429:
        result.update(outcome=RATE_LIMITED)
    elif code is not None and 400 <= code < 500:
        result.update(outcome=BROKEN)
    elif code is not None and 500 <= code < 600:
        result.update(outcome=SERVER_ERROR)
    elif "fragment" in text.lower():
        result.update(outcome=FRAGMENT, detail="the page has no element with that id")
    elif "timeout" in text.lower() or "timed out" in text.lower():
        result.update(outcome=TIMEOUT)
    elif _is_dns_failure(text) or _is_dns_failure(details):
        result.update(outcome=NETWORK, dns=True, detail=details or text)
    elif any(
        s in (text + details).lower()
        for s in ("network", "connection", "dns", "tls", "ssl", "certificate", "unreachable", "refused")
    ):
        result.update(outcome=NETWORK, detail=details or text)
    else:
        result.update(outcome=OTHER)
    if redirect_to and result["outcome"] not in (REDIRECTED, OK):
        result["detail"] += f" (after a redirect to {redirect_to})"
    return result


def load_registry(path: Path) -> list[tuple[str, RegistryRef]]:
    """(url, where it is) for every url_main, primary_url and url_archive of the registry."""
    try:
        entries = load_with_lines(path)
    except (OSError, yaml.YAMLError) as exc:
        raise ToolError(f"{current_project().rel(path)}: cannot read the registry: {exc}") from exc
    if not isinstance(entries, list):
        raise ToolError(f"{current_project().rel(path)}: the registry is not a list of entries")
    out: list[tuple[str, RegistryRef]] = []
    for e in entries:
        if not isinstance(e, dict):
            continue
        archive = e.get("url_archive") if isinstance(e.get("url_archive"), str) else None
        for name in REGISTRY_FIELDS:
            url = e.get(name)
            if isinstance(url, str) and url.strip():
                out.append((url.strip(), RegistryRef(str(e.get("id")), name, e.get("__line__"), archive)))
    return out


def exclude_rules(config: Path) -> list[tuple[str, str]]:
    """(pattern, reason) for every `exclude` entry of lychee.toml, the reason from its comment."""
    rules: list[tuple[str, str]] = []
    inside = False
    for raw in config.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not inside:
            inside = bool(re.match(r"^exclude\s*=\s*\[", line))
            continue
        if line.startswith("]"):
            break
        m = re.match(r"""^(?:'([^']*)'|"((?:[^"\\]|\\.)*)")\s*,?\s*(?:#\s*(.*))?$""", line)
        if m:
            rules.append((m.group(1) if m.group(1) is not None else m.group(2), (m.group(3) or "").strip()))
    return rules


def _exclusion_reason(url: str, rules: list[tuple[str, str]]) -> str:
    for pattern, reason in rules:
        try:
            if re.search(pattern, url):
                return f"`{pattern}`: {reason}" if reason else f"`{pattern}`"
        except re.error:
            continue
    return "excluded by lychee's defaults (reserved or example domain, private address or scheme)"


# ---------------------------------------------------------------------------------------------
# External links: running the check


@dataclass
class CheckOptions:
    config: Path
    cache: bool = True
    timeout: float | None = None
    max_retries: int | None = None
    retry_wait_time: int | None = None
    recheck_rounds: int = RECHECK_ROUNDS
    recheck_wait: float = RECHECK_WAIT

    def options(self) -> list[str]:
        opts = ["--config", str(self.config), "--verbose"]  # --verbose: lychee lists the good links too
        if not self.cache:
            opts.append("--cache=false")
        if self.timeout is not None:
            opts += ["--timeout", str(max(1, round(self.timeout)))]
        if self.max_retries is not None:
            opts += ["--max-retries", str(self.max_retries)]
        if self.retry_wait_time is not None:
            opts += ["--retry-wait-time", str(self.retry_wait_time)]
        return opts


def _links_html(urls: Iterable[str]) -> str:
    """A page with one link a line: line n + 1 holds the n-th URL (lychee's span gives the line)."""
    return "<!doctype html>\n" + "".join(
        f'<a href="{html.escape(u, quote=True)}">{i}</a>\n' for i, u in enumerate(urls, 1)
    )


def check_external(
    site: Path, registry: Path, opts: CheckOptions, label: str | None = None, cwd: Path | None = None
) -> tuple[list[Link], dict[str, Any]]:
    """Check every http(s) link of the built site and every registry URL; one Link per URL."""
    label = label or str(site)
    site = site.resolve()
    pages = site_or_fail(site, label)
    registry_urls = load_registry(registry)
    cwd = (cwd or Path.cwd()).resolve()
    links: dict[str, Link] = {}
    occurrences = 0

    with tempfile.TemporaryDirectory(prefix="linkcheck-") as tmp:
        reg_html = Path(tmp) / "registry.html"
        reg_html.write_text(_links_html(u for u, _ in registry_urls), encoding="utf-8")
        by_line = {i + 1: ref for i, (_, ref) in enumerate(registry_urls, 1)}
        report = run_lychee(opts.options(), [*pages, reg_html], cwd=cwd)

        for name, source, entry in iter_results(report):
            url = entry.get("url", "")
            if urlsplit(url).scheme not in ("http", "https"):
                continue  # file://, data:, mailto: are not this check's business
            occurrences += 1
            c = classify(name, entry)
            link = links.get(url)
            # lychee checks a URL once and reports every other occurrence as "(cached)": keep the
            # worst result, and the fresh one among equals.
            if (
                link is None
                or _SEVERITY[c["outcome"]] < _SEVERITY[link.outcome]
                or (_SEVERITY[c["outcome"]] == _SEVERITY[link.outcome] and link.cached and not c["cached"])
            ):
                new = Link(url, c["outcome"], c["detail"], c["code"], c["dns"], c["redirect_to"], c["cached"])
                if link is not None:
                    new.pages, new.refs = link.pages, link.refs
                link = links[url] = new
            line = (entry.get("span") or {}).get("line") or 0
            if Path(source).resolve() == reg_html.resolve():
                ref = by_line.get(line)
                if ref and ref not in link.refs:
                    link.refs.append(ref)
            else:
                place = (show_path(Path(source), site, "").lstrip("/"), line)
                if place not in link.pages:
                    link.pages.append(place)

        # lychee retries timeouts and 429s itself but takes a 5xx (and a failed DNS lookup) at
        # its word: ask again after a pause before calling the link broken.
        for round_ in range(opts.recheck_rounds):
            again = [l for l in links.values() if OUTCOME_RULES[l.outcome].recheck(l.dns)]
            if not again:
                break
            time.sleep(opts.recheck_wait * 2**round_)
            page = Path(tmp) / f"recheck-{round_ + 1}.html"
            page.write_text(_links_html(l.url for l in again), encoding="utf-8")
            second = run_lychee(opts.options(), [page], cwd=cwd)
            fresh = {e.get("url"): classify(n, e) for n, _, e in iter_results(second)}
            for link in again:
                c = fresh.get(link.url)
                link.checks += 1
                if c:
                    link.outcome, link.detail, link.code = c["outcome"], c["detail"], c["code"]
                    link.dns, link.redirect_to, link.cached = c["dns"], c["redirect_to"], c["cached"]

    rules = exclude_rules(opts.config)
    for link in links.values():
        if link.outcome == EXCLUDED:
            link.detail = _exclusion_reason(link.url, rules)
        link.pages.sort()
    meta = {
        "pages": len(pages),
        "registry_entries": len({r.id for _, r in registry_urls}),
        "registry_urls": len(registry_urls),
        "occurrences": occurrences,
    }
    return sorted(links.values(), key=lambda l: l.url), meta


# ---------------------------------------------------------------------------------------------
# External links: the report


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _autolink(url: str) -> str:
    return f"<{url}>" if not re.search(r"[\s<>]", url) else f"`{url}`"


def _status(link: Link) -> str:
    bits = [link.detail]
    if link.checks > 1:
        bits.append(f"after {link.checks} checks")
    if link.cached:
        bits.append("from the cache")
    return "; ".join(b for b in bits if b)


def _suggestion(link: Link, ref: RegistryRef, by_url: dict[str, Link]) -> str:
    if ref.field == "url_archive":
        return "the archived copy itself is unreachable: find another snapshot"
    if ref.url_archive:
        archived = by_url.get(ref.url_archive)
        state = f" (checked: {archived.outcome})" if archived else ""
        return f"use the archived copy {_autolink(ref.url_archive)}{state}"
    return f"no url_archive: look for a snapshot at {_autolink(WAYBACK_SEARCH + link.url)} and add it as url_archive"


def _where(link: Link, registry_label: str) -> list[str]:
    out = []
    for r in link.refs:
        at = f"{registry_label}:{r.line}" if r.line else registry_label
        out.append(f"registry `{r.id}` ({r.field}, {at})")
    if link.pages:
        shown = ", ".join(f"`{p}:{n}`" if n else f"`{p}`" for p, n in link.pages[:8])
        more = f" and {len(link.pages) - 8} more" if len(link.pages) > 8 else ""
        out.append(f"pages {shown}{more}")
    return out


def render_report(
    links: list[Link], meta: dict[str, Any], registry_label: str, site_label: str, opts: CheckOptions
) -> str:
    by_url = {l.url: l for l in links}
    groups: dict[str, list[Link]] = {o: [] for o in OUTCOMES}
    for l in links:
        groups[l.outcome].append(l)
    failing = [l for l in links if l.fails]
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    token = "set" if lychee_env().get("GITHUB_TOKEN") else "not set"
    cache = "off" if not opts.cache else ".lycheecache (max age and settings in lychee.toml)"
    out = [
        "# External link check",
        "",
        f"{now}. {len(links)} unique http(s) URLs ({meta['occurrences']} occurrences) from "
        f"{meta['pages']} pages of `{site_label}/` and {meta['registry_urls']} URLs of "
        f"{meta['registry_entries']} entries of `{registry_label}`. {lychee_version()}; "
        f"GitHub token {token}; cache {cache}.",
        "",
        (
            f"**Result: {len(failing)} URL(s) definitely broken.** They fail the check."
            if failing
            else "**Result: nothing definitely broken.**"
        )
        + " Only a 4xx other than 429, a 5xx after re-checks and a DNS failure fail it; "
        "the rest is reported for a look by hand.",
        "",
        "| Outcome | URLs | Fails the check |",
        "|---|---:|---|",
    ]
    for o in OUTCOMES:
        out.append(f"| {o} | {len(groups[o])} | {OUTCOME_RULES[o].words} |")

    dead_refs = [(l, r) for l in links if l.outcome in DEAD for r in l.refs]
    if dead_refs:
        out += [
            "",
            "## Broken registry URLs",
            "",
            "| Source id | Field | URL | Outcome | Suggestion |",
            "|---|---|---|---|---|",
        ]
        for l, r in sorted(dead_refs, key=lambda x: (x[1].id, x[1].field)):
            out.append(
                f"| `{r.id}` | {r.field} | {_md(_autolink(l.url))} | {_md(l.outcome)}: "
                f"{_md(_status(l))} | {_md(_suggestion(l, r, by_url))} |"
            )

    for o in SECTION_ORDER:
        items = groups[o]
        if not items:
            continue
        quiet = OUTCOME_RULES[o].folded
        out += ["", f"## {o[0].upper() + o[1:]} ({len(items)})", ""]
        if quiet:
            out += ["<details><summary>Show them</summary>", ""]
        for l in items:
            mark = " **(fails)**" if l.fails else ""
            out.append(f"- {_autolink(l.url)}: {_md(_status(l))}{mark}")
            for w in _where(l, registry_label):
                out.append(f"  - {w}")
            if l.outcome in DEAD:
                for r in l.refs:
                    out.append(f"  - `{r.id}`: {_suggestion(l, r, by_url)}")
        if quiet:
            out += ["", "</details>"]
    return "\n".join(out) + "\n"


def main_external(args: argparse.Namespace) -> int:
    registry = Path(args.registry) if args.registry else current_project().data / settings.REGISTRY_FILE
    opts = CheckOptions(
        config=Path(args.config or current_project().root / LYCHEE_CONFIG),
        cache=not args.no_cache,
        timeout=args.timeout,
        max_retries=args.max_retries,
        retry_wait_time=args.retry_wait_time,
        recheck_rounds=args.recheck_rounds,
        recheck_wait=args.recheck_wait,
    )
    if not opts.config.is_file():
        raise ToolError(f"{opts.config}: no lychee config there")
    links, meta = check_external(Path(args.site_dir), registry, opts, args.site_dir)
    registry_label = current_project().rel(registry)
    report = Path(args.report)
    files.write_atomic(report, render_report(links, meta, registry_label, args.site_dir.rstrip("/"), opts))
    failing = [l for l in links if l.fails]
    for l in failing:
        where = "; ".join(_where(l, registry_label)).replace("`", "")
        print(f"linkcheck: {l.outcome}: {l.url}: {_status(l)} ({where})")
    counts = ", ".join(
        f"{sum(1 for l in links if l.outcome == o)} {o}" for o in OUTCOMES if any(l.outcome == o for l in links)
    )
    verdict = f"{len(failing)} definitely broken" if failing else "nothing definitely broken"
    print(
        f"linkcheck: {len(links)} URLs: {counts}; {verdict}; report in {args.report}",
        file=sys.stderr if failing else sys.stdout,
    )
    return 1 if failing else 0


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m explainer linkcheck", description=__doc__.splitlines()[0])
    p.add_argument("site_dir", nargs="?", help="the built site (default: the project's site/)")
    p.add_argument("--report", help="Markdown report to write (default: the project's linkcheck-report.md)")
    p.add_argument("--registry", help="source registry (default: the project's data/sources.yaml)")
    p.add_argument("--config", help="lychee config (default: lychee.toml in the project)")
    p.add_argument("--no-cache", action="store_true", help="neither read nor write .lycheecache")
    p.add_argument("--timeout", type=float, help="seconds per request (overrides lychee.toml)")
    p.add_argument("--max-retries", type=int, help="lychee's retries (overrides lychee.toml)")
    p.add_argument("--retry-wait-time", type=int, help="lychee's first wait between retries, seconds")
    p.add_argument(
        "--recheck-rounds",
        type=int,
        default=RECHECK_ROUNDS,
        help=f"re-checks of 5xx and DNS failures (default {RECHECK_ROUNDS})",
    )
    p.add_argument(
        "--recheck-wait",
        type=float,
        default=RECHECK_WAIT,
        help=f"seconds before the first re-check, doubling (default {RECHECK_WAIT:g})",
    )
    args = p.parse_args(argv)
    args.site_dir = args.site_dir or str(current_project().site_dir)
    args.report = args.report or str(current_project().root / "linkcheck-report.md")
    try:
        return main_external(args)
    except ToolError as exc:
        print(f"linkcheck: {exc}", file=sys.stderr)
        return 2
