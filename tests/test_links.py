"""Link checks: internal links and anchors offline, external links against a local server.

The external check is exercised end to end (lychee, the real lychee.toml, the report, the exit
status) against an HTTP server on 127.0.0.1 that answers each way the web does: 200, a redirect,
404, 410, a 429 then 200, 500, too slow, a page without the asked-for #fragment. No test touches
the internet.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from explainer.checks import external_links as links
from explainer.checks import internal_links as links_internal

FIXTURES = ROOT / "tests" / "fixtures" / "links"
SLOW = 4.0  # seconds the slow endpoint takes; the test runs use a 1 s timeout

# The test runs' lychee settings: short timeout, one retry, one quick re-check of 5xx.
FAST = [
    "--no-cache",
    "--timeout",
    "1",
    "--max-retries",
    "1",
    "--retry-wait-time",
    "1",
    "--recheck-rounds",
    "1",
    "--recheck-wait",
    "0.2",
]


# --- the local server ------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    """Routes on the last path segment, so /r/ok and /c/ok answer alike but are counted apart."""

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        path = self.path.split("#")[0].split("?")[0]
        with self.server.lock:
            self.server.hits[path] = self.server.hits.get(path, 0) + 1
            hits = self.server.hits[path]
        name = path.rsplit("/", 1)[-1]
        if path.startswith("/web/"):  # a Wayback-style archived copy
            return self._send(200, "<p>archived copy</p>")
        if name in ("ok", "page"):
            return self._send(200, '<h1 id="here">Here</h1><p>A page.</p>')
        if name == "redirect":
            return self._send(301, "", {"Location": path.rsplit("/", 1)[0] + "/ok"})
        if name in ("404", "410", "500"):
            return self._send(int(name), f"<p>{name}</p>")
        if name == "429":
            return self._send(429, "<p>slow down</p>", {"Retry-After": "1"})
        if name == "429-once":
            if hits == 1:
                return self._send(429, "<p>slow down</p>", {"Retry-After": "1"})
            return self._send(200, "<p>fine now</p>")
        if name == "slow":
            time.sleep(SLOW)
            return self._send(200, "<p>finally</p>")
        return self._send(404, "<p>no such route</p>")

    def _send(self, code: int, body: str, headers: dict[str, str] | None = None) -> None:
        data = f"<!doctype html><html><body>{body}</body></html>".encode()
        try:
            self.send_response(code)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the timeout case)

    def log_message(self, *args) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hits: dict[str, int] = {}
        self.lock = threading.Lock()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture(scope="module")
def server():
    srv = _Server()
    thread = threading.Thread(target=srv.serve_forever, name="link-test-server", daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(timeout=5)


def _closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fill(template: Path, dest: Path, values: dict[str, str]) -> None:
    text = template.read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    assert "{{" not in text, f"{template}: unfilled placeholder"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(text, encoding="utf-8")


def _fixture_site(src: Path, dest: Path, values: dict[str, str]) -> Path:
    for page in src.rglob("*.html"):
        _fill(page, dest / page.relative_to(src), values)
    return dest


COMMANDS = {"internal": ["check-links", "--no-build"], "external": ["linkcheck"]}


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """`python -m explainer check-links` ("internal") or `linkcheck` ("external"), for the project."""
    env = {**os.environ, "EXPLAINER_PROJECT": str(ROOT)}
    env.pop("GITHUB_TOKEN", None)
    cmd = [sys.executable, "-m", "explainer", *COMMANDS[args[0]], *args[1:]]
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def _sections(report: str) -> dict[str, str]:
    """The report's `## ` sections by title, without the count: {'broken (4xx)': '...'}."""
    parts = re.split(r"^## ", report, flags=re.M)[1:]
    return {re.sub(r" \(\d+\)$", "", p.split("\n", 1)[0]).lower(): p for p in parts}


def _items(section: str) -> dict[str, str]:
    """Each top-level item of a section by its URL, with its indented lines."""
    out: dict[str, str] = {}
    for block in re.split(r"^- ", section, flags=re.M)[1:]:
        m = re.match(r"<([^>]+)>", block)
        if m:
            out[m.group(1)] = block
    return out


@pytest.fixture(scope="module")
def broken_run(server, tmp_path_factory):
    """One external run over a site and registry with every kind of outcome."""
    tmp = tmp_path_factory.mktemp("linkcheck-broken")
    values = {"BASE": server.base, "CLOSED": f"http://127.0.0.1:{_closed_port()}"}
    site = _fixture_site(FIXTURES / "site", tmp / "site", values)
    _fill(FIXTURES / "sources.yaml", tmp / "sources.yaml", values)
    started = time.monotonic()
    proc = _run(
        ["external", str(site), "--report", str(tmp / "report.md"), "--registry", str(tmp / "sources.yaml"), *FAST],
        cwd=tmp,
    )
    report = (tmp / "report.md").read_text(encoding="utf-8") if (tmp / "report.md").exists() else ""
    return proc, report, server.base, time.monotonic() - started


@pytest.fixture(scope="module")
def clean_run(server, tmp_path_factory):
    """One external run where only ok, redirects, 429s, timeouts and exclusions occur."""
    tmp = tmp_path_factory.mktemp("linkcheck-clean")
    values = {"BASE": server.base}
    site = _fixture_site(FIXTURES / "clean-site", tmp / "site", values)
    _fill(FIXTURES / "clean-sources.yaml", tmp / "sources.yaml", values)
    proc = _run(
        ["external", str(site), "--report", str(tmp / "report.md"), "--registry", str(tmp / "sources.yaml"), *FAST],
        cwd=tmp,
    )
    report = (tmp / "report.md").read_text(encoding="utf-8") if (tmp / "report.md").exists() else ""
    return proc, report, server.base


# --- internal links --------------------------------------------------------------------------


def test_a_clean_site_passes_the_internal_check(tmp_path):
    proc = _run(["internal", str(FIXTURES / "internal" / "clean")], cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("\n") == 1 and "resolve" in proc.stdout
    assert "in 3 pages" in proc.stdout, "every HTML page, the notebook page included, is checked"


def test_a_missing_page_and_a_missing_anchor_fail_naming_page_and_target(tmp_path):
    site = FIXTURES / "internal" / "broken"
    proc = _run(["internal", str(site)], cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stdout.strip().splitlines()
    page = f"{site}/essay/index.html"
    assert f"{page}:6: broken link to ../missing/ (file not found: {site}/missing)" in lines, lines
    assert (
        f'{page}:7: broken anchor ../sources/#no-such-source (no id="no-such-source" in {site}/sources/index.html)'
    ) in lines, lines
    assert len(lines) == 2, "the good links and the existing <section id> anchor pass"
    assert "2 broken" in proc.stderr


def test_the_internal_check_explains_a_missing_site(tmp_path):
    proc = _run(["internal", "no-such-site"], cwd=tmp_path)
    assert proc.returncode == 2
    assert "no-such-site: no such folder" in proc.stderr


def test_the_real_site_has_no_broken_internal_links(site):
    problems, counts = links_internal.internal_problems(site, "site")
    assert not problems, "\n".join(problems)
    assert counts["pages"] >= 10 and counts["checked"] > 100


# --- external links: one run with every outcome ----------------------------------------------


def test_external_run_fails_for_definite_breakage_only(broken_run):
    proc, report, base, _ = broken_run
    assert proc.returncode == 1, proc.stdout + proc.stderr
    failing = {line.split(": ")[2] for line in proc.stdout.splitlines() if line.startswith("linkcheck: ")}
    assert failing == {f"{base}/r/404", f"{base}/r/410", f"{base}/r/500"}, proc.stdout
    assert "fx-missing" in proc.stdout and "fx-gone" in proc.stdout and "fx-flaky" in proc.stdout


def test_the_report_classifies_each_case(broken_run):
    _, report, base, _ = broken_run
    s = _sections(report)
    expect = {
        "ok": [
            f"{base}/r/ok",
            f"{base}/r/429-once",
            f"{base}/r/page#here",
            f"{base}/web/20250101000000/https://fixture.example/gone",
        ],
        "redirected": [f"{base}/r/redirect"],
        "rate-limited (429)": [f"{base}/r/429"],
        "broken (4xx)": [f"{base}/r/404", f"{base}/r/410"],
        "server error (5xx)": [f"{base}/r/500"],
        "timeout": [f"{base}/r/slow"],
        "dns/network failure": [],  # filled below: the closed port
        "missing fragment": [f"{base}/r/page#missing"],
        "excluded": ["https://www.investing.com/news/excluded-by-lychee-toml"],
    }
    for outcome, urls in expect.items():
        assert outcome in s, f"no section '{outcome}' in the report:\n{report}"
        items = _items(s[outcome])
        for url in urls:
            assert url in items, f"{url} is not under '{outcome}':\n{s[outcome]}"
    network = _items(s["dns/network failure"])
    assert len(network) == 1 and "/nothing-listens" in next(iter(network)), s["dns/network failure"]
    assert "(fails)" not in s["dns/network failure"], "a refused connection is not a DNS failure"
    # Every URL once, in one section; nothing else (no file://, no mailto:).
    all_items = [u for title, text in s.items() if title != "broken registry urls" for u in _items(text)]
    assert len(all_items) == len(set(all_items)) == 13, all_items
    assert not [u for u in all_items if not u.startswith("http")]


def test_the_summary_counts_every_outcome(broken_run):
    _, report, _, _ = broken_run
    table = dict(re.findall(r"^\| ([^|]+?) \| (\d+) \|", report, flags=re.M))
    assert table == {
        "ok": "4",
        "redirected": "1",
        "rate-limited (429)": "1",
        "broken (4xx)": "2",
        "server error (5xx)": "1",
        "timeout": "1",
        "DNS/network failure": "1",
        "missing fragment": "1",
        "excluded": "1",
        "other error": "0",
    }, table
    assert "**Result: 3 URL(s) definitely broken.**" in report


def test_registry_urls_are_mapped_to_their_ids(broken_run):
    _, report, base, _ = broken_run
    s = _sections(report)
    ok = _items(s["ok"])[f"{base}/r/ok"]
    assert "registry `fx-ok` (url_main" in ok and "registry `fx-missing` (primary_url" in ok, ok
    assert "pages `index.html:" in ok and "`notes/index.html:" in ok, ok
    gone = _items(s["broken (4xx)"])[f"{base}/r/410"]
    assert "registry `fx-gone` (url_main, " in gone and "sources.yaml:" in gone, gone
    missing = _items(s["broken (4xx)"])[f"{base}/r/404"]
    assert "registry `fx-missing` (url_main" in missing
    assert "`index.html:" in missing and "`notes/index.html:" in missing, "both pages that link it"
    flaky = _items(s["server error (5xx)"])[f"{base}/r/500"]
    assert "registry `fx-flaky` (url_main" in flaky and "after 2 checks" in flaky, flaky
    busy = _items(s["ok"])[f"{base}/r/429-once"]
    assert "registry `fx-busy`" in busy


def test_a_broken_registry_url_gets_its_archived_copy_suggested(broken_run):
    _, report, base, _ = broken_run
    table = _sections(report)["broken registry urls"]
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| `([a-z-]+)` \|.*$", table, flags=re.M)}
    assert set(rows) == {"fx-gone", "fx-missing", "fx-flaky"}, table
    archived = f"{base}/web/20250101000000/https://fixture.example/gone"
    assert f"use the archived copy <{archived}> (checked: ok)" in rows["fx-gone"]
    assert "no url_archive: look for a snapshot at <https://web.archive.org/web/*/" in rows["fx-missing"]
    assert f"use the archived copy <{archived}>" in _items(_sections(report)["broken (4xx)"])[f"{base}/r/410"]


def test_5xx_is_rechecked_and_429_retried_against_the_server(broken_run, server):
    proc, _, _, seconds = broken_run
    assert server.hits.get("/r/500", 0) >= 2, server.hits
    assert server.hits.get("/r/429-once") == 2, server.hits
    assert server.hits.get("/r/404") == 1, "a 404 is final: no retries"
    assert seconds < 40, f"the external run took {seconds:.0f} s"


# --- external links: a run where nothing is definitely broken --------------------------------


def test_ok_redirect_429_timeout_and_excluded_do_not_fail(clean_run):
    proc, report, base = clean_run
    assert proc.returncode == 0, proc.stdout + proc.stderr + report
    s = _sections(report)
    assert set(_items(s["ok"])) == {
        f"{base}/c/ok",
        f"{base}/c/429-once",
        f"{base}/web/20250101000000/https://fixture.example/clean",
    }
    assert set(_items(s["redirected"])) == {f"{base}/c/redirect"}
    assert set(_items(s["rate-limited (429)"])) == {f"{base}/c/429"}
    assert set(_items(s["timeout"])) == {f"{base}/c/slow"}
    assert "**Result: nothing definitely broken.**" in report
    assert "broken registry urls" not in s
    assert "nothing definitely broken" in proc.stdout


def test_excluded_urls_carry_the_reason_from_lychee_toml(clean_run):
    _, report, _ = clean_run
    item = _items(_sections(report)["excluded"])["https://www.investing.com/news/excluded-by-lychee-toml"]
    assert "`^https?://([a-z]+\\.)?investing\\.com/`: Cloudflare bot challenge" in item, item


# --- classification details that a local server cannot produce --------------------------------


@pytest.mark.parametrize(
    "status, outcome, fails",
    [
        (
            {
                "text": "Network error: DNS resolution failed. Check hostname and DNS settings",
                "details": "DNS resolution failed. Check hostname and DNS settings",
            },
            links.NETWORK,
            True,
        ),
        (
            {
                "text": "Network error: DNS temporarily unavailable. Try again later",
                "details": "DNS temporarily unavailable. Try again later",
            },
            links.NETWORK,
            False,
        ),
        ({"text": "Network error: Connection refused - server may be down or port blocked"}, links.NETWORK, False),
        ({"text": "Rejected status code: 403 Forbidden", "code": 403}, links.BROKEN, True),
        ({"text": "Rejected status code: 429 Too Many Requests", "code": 429}, links.RATE_LIMITED, False),
        ({"text": "Rejected status code: 503 Service Unavailable", "code": 503}, links.SERVER_ERROR, True),
        ({"text": "Cannot find fragment", "details": "Cannot find fragment"}, links.FRAGMENT, False),
    ],
)
def test_classify_lychee_results(status, outcome, fails):
    c = links.classify("error_map", {"url": "https://example.org/x", "status": status})
    link = links.Link("https://example.org/x", c["outcome"], c["detail"], c["code"], c["dns"])
    assert (link.outcome, link.fails) == (outcome, fails)


# --- lychee.toml and the workflow ------------------------------------------------------------


def _known_urls() -> str:
    """Every URL text the site is built from: the registry, the pages' sources, mkdocs.yml."""
    parts = [
        (ROOT / "data" / "sources.yaml").read_text(encoding="utf-8"),
        (ROOT / "mkdocs.yml").read_text(encoding="utf-8"),
    ]
    parts += [
        p.read_text(encoding="utf-8")
        for p in sorted((ROOT / "docs").rglob("*"))
        if p.is_file() and p.suffix in (".md", ".py", ".ipynb", ".html", ".yml", ".yaml")
    ]
    return "\n".join(parts)


def test_every_exclusion_has_a_reason_and_is_not_stale():
    rules = links.exclude_rules(ROOT / "lychee.toml")
    assert rules, "lychee.toml has no exclude list"
    urls = re.findall(r"https?://[^\s\"'<>)\]]+", _known_urls())
    for pattern, reason in rules:
        assert len(reason) > 15, f"lychee.toml: exclude {pattern!r} needs a reason in a comment"
        assert any(re.search(pattern, u) for u in urls), (
            f"lychee.toml: exclude {pattern!r} matches no URL in data/sources.yaml, docs/ or mkdocs.yml: stale"
        )


def test_lychee_toml_never_blanket_accepts_403_or_429():
    import tomllib

    config = tomllib.loads((ROOT / "lychee.toml").read_text(encoding="utf-8"))
    accepted = str(config.get("accept", ""))
    assert "403" not in accepted and "429" not in accepted
    assert config["cache"] is True and config["max_cache_age"]
    assert config["max_retries"] >= 1 and config["host_concurrency"] <= 8 and config["timeout"] >= 10


def test_the_workflow_runs_weekly_never_on_pull_requests_and_keeps_its_cache():
    wf = yaml.safe_load((ROOT / ".github" / "workflows" / "linkcheck.yml").read_text(encoding="utf-8"))
    triggers = wf.get(True, wf.get("on"))  # YAML 1.1 reads the key `on` as True
    assert set(triggers) == {"schedule", "workflow_dispatch"}
    # Read the code; write only issues (the one issue that carries broken links).
    assert wf["permissions"] == {"contents": "read", "issues": "write"}
    steps = wf["jobs"]["linkcheck"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert all(re.search(r"@v\d+$", u) for u in uses if u), uses
    assert "actions/setup-python@v5" in uses
    run = [s for s in steps if s.get("run")]
    assert [s["run"] for s in run][0] == "make linkcheck"
    assert all("link-issue" in s["run"] for s in run[1:]), "the only other step files the issue"
    save = next(s for s in steps if s.get("uses", "").startswith("actions/cache/save@"))
    assert save["if"] == "always()" and save["with"]["path"] == ".lycheecache"
    assert uses.index(next(u for u in uses if u.startswith("actions/cache/restore@"))) < uses.index(save["uses"])
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"] == "linkcheck-report.md"
