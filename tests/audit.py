"""`make audit`: Lighthouse on every page of a built site, served gzip-compressed like GitHub Pages.

    python -m tests.audit SITE_DIR [--runs N] [--json-dir DIR] [--pages PATH ...]

Serves SITE_DIR on 127.0.0.1 (gzip for text types, `Cache-Control: max-age=600`, the site's
404.html for missing paths: what GitHub Pages does), runs the pinned Lighthouse
(tools/lighthouse, `make lighthouse`) with Debian's Chromium on every `index.html` page, using
Lighthouse's DEFAULT config: a mobile device with simulated throttling. Prints the four category
scores per page, the minimum of each, the pages that miss a budget and, for each miss, the
audits that failed with the elements or URLs they flagged.

Budgets: performance >= 95; accessibility, best practices and SEO = 100.
Exit status: 0 all budgets met, 1 a budget missed, 2 Lighthouse could not run.

The gzip server here is shared with `make bench` (tests/bench.py).
"""
from __future__ import annotations

import argparse
import email.utils
import gzip
import hashlib
import http.server
import json
import mimetypes
import os
import posixpath
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
LIGHTHOUSE = ROOT / "tools" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-background-networking --disable-component-update --disable-sync"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
SHORT = {"performance": "perf", "accessibility": "a11y", "best-practices": "best-pr", "seo": "seo"}
BUDGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
LIGHTHOUSE_TIMEOUT = 240          # seconds per page

# What GitHub Pages compresses: text, SVG, JSON, JavaScript, XML.
COMPRESSIBLE = ("text/", "image/svg+xml", "application/json", "application/javascript", "application/xml",
                "application/manifest+json", "application/x-yaml", "application/yaml")
TYPES = {".svg": "image/svg+xml", ".js": "application/javascript", ".mjs": "application/javascript",
         ".json": "application/json", ".webmanifest": "application/manifest+json", ".csv": "text/csv",
         ".yaml": "application/yaml", ".yml": "application/yaml", ".xml": "application/xml",
         ".md": "text/markdown", ".ipynb": "application/json", ".gz": "application/gzip",
         ".woff2": "font/woff2", ".png": "image/png", ".ico": "image/x-icon"}


# --- a GitHub-Pages-like static server --------------------------------------------------------

@dataclass
class Hit:
    path: str
    status: int
    sent: int           # body bytes on the wire (compressed when gzipped)
    raw: int            # body bytes before compression
    gzipped: bool


@dataclass
class Stats:
    hits: list[Hit] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, hit: Hit) -> None:
        with self.lock:
            self.hits.append(hit)

    def mark(self) -> int:
        with self.lock:
            return len(self.hits)

    def since(self, mark: int) -> list[Hit]:
        with self.lock:
            return list(self.hits[mark:])


def _content_type(path: Path) -> str:
    ext = path.suffix.lower()
    t = TYPES.get(ext) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if t.startswith("text/") or t in ("application/javascript", "application/json", "image/svg+xml", "application/xml"):
        t += "; charset=utf-8"
    return t


def _handler(root: Path, stats: Stats):
    root = root.resolve()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "bench-pages"

        def log_message(self, *args):  # quiet
            pass

        def _resolve(self) -> tuple[int, Path | None, str | None]:
            url = urllib.parse.urlsplit(self.path)
            rel = posixpath.normpath(urllib.parse.unquote(url.path)).lstrip("/")
            if rel in (".", ""):
                rel = ""
            target = (root / rel).resolve()
            if root != target and root not in target.parents:
                return 404, None, None
            if target.is_dir():
                if not url.path.endswith("/"):
                    return 301, None, url.path + "/" + (f"?{url.query}" if url.query else "")
                target = target / "index.html"
            if target.is_file():
                return 200, target, None
            return 404, None, None

        def _send(self, head_only: bool) -> None:
            status, target, location = self._resolve()
            if status == 301:
                self.send_response(301)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()
                stats.add(Hit(self.path, 301, 0, 0, False))
                return
            if status == 404:
                page = root / "404.html"
                body = page.read_bytes() if page.is_file() else b"Not found"
                ctype = "text/html; charset=utf-8"
                mtime = None
            else:
                body = target.read_bytes()
                ctype = _content_type(target)
                mtime = target.stat().st_mtime
            raw = len(body)
            accepts = "gzip" in (self.headers.get("Accept-Encoding") or "")
            gz = accepts and ctype.startswith(COMPRESSIBLE) and raw > 0
            if gz:
                body = gzip.compress(body, compresslevel=6, mtime=0)
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "max-age=600")
            self.send_header("Vary", "Accept-Encoding")
            if gz:
                self.send_header("Content-Encoding", "gzip")
            if mtime is not None:
                self.send_header("Last-Modified", email.utils.formatdate(mtime, usegmt=True))
                self.send_header("ETag", '"' + hashlib.sha1(body).hexdigest()[:16] + '"')
            self.end_headers()
            if not head_only:
                self.wfile.write(body)
            stats.add(Hit(self.path, status, 0 if head_only else len(body), raw, gz))

        def do_GET(self):
            self._send(False)

        def do_HEAD(self):
            self._send(True)

    return Handler


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # A browser that drops a connection it no longer needs is not an error worth a traceback.
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


@contextmanager
def serve_site(site: Path) -> Iterator[tuple[str, Stats]]:
    """Serve `site` on 127.0.0.1 (a free port); yields (base URL ending in '/', request stats)."""
    stats = Stats()
    server = _Server(("127.0.0.1", 0), _handler(Path(site), stats))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", stats
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def site_pages(site: Path) -> list[str]:
    """Every page: the URL path (relative to the site root) of each index.html."""
    out = []
    for p in sorted(Path(site).rglob("index.html")):
        rel = p.parent.relative_to(site).as_posix()
        out.append("" if rel == "." else rel + "/")
    return sorted(out, key=lambda u: (u != "", u))


# --- Lighthouse ------------------------------------------------------------------------------

def run_lighthouse(url: str, out_json: Path) -> dict:
    """One Lighthouse run (default config: mobile, simulated throttling); returns the LHR."""
    cmd = [str(LIGHTHOUSE), url,
           f"--chrome-flags={CHROME_FLAGS}",
           f"--only-categories={','.join(CATEGORIES)}",
           "--output=json", f"--output-path={out_json}",
           "--quiet", "--no-enable-error-reporting"]
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=LIGHTHOUSE_TIMEOUT)
    if proc.returncode != 0 or not out_json.exists():
        raise RuntimeError(f"lighthouse exited {proc.returncode}: {(proc.stderr or proc.stdout).strip()[-2000:]}")
    lhr = json.loads(out_json.read_text(encoding="utf-8"))
    if lhr.get("runtimeError"):
        raise RuntimeError(f"lighthouse runtime error: {lhr['runtimeError']}")
    return lhr


def scores(lhr: dict) -> dict[str, int | None]:
    out = {}
    for c in CATEGORIES:
        s = lhr["categories"].get(c, {}).get("score")
        out[c] = None if s is None else round(s * 100)
    return out


def _item_text(item: dict) -> str:
    """One flagged element or resource, as briefly as it can be said."""
    node = item.get("node") if isinstance(item.get("node"), dict) else (item if item.get("type") == "node" else None)
    parts = []
    if node:
        if node.get("selector"):
            parts.append(node["selector"])
        if node.get("snippet"):
            parts.append(node["snippet"][:160])
        if node.get("explanation"):
            expl = " ".join(node["explanation"].split())
            parts.append(expl.removeprefix("Fix any of the following: ").removeprefix("Fix all of the following: ")[:300])
    if item.get("groupLabel"):
        parts.append(f"{item['groupLabel']}: {round(item.get('duration', 0))} ms")
    for k in ("url", "source", "description", "text", "label", "failureReason"):
        v = item.get(k)
        if isinstance(v, dict):
            v = v.get("url") or v.get("text") or v.get("value")
        if v and not isinstance(v, (list, dict)):
            parts.append(f"{k}={str(v)[:200]}")
    if not node and isinstance(item.get("value"), (str, int, float)):
        parts.append(f"value={item['value']}")
    for k in ("wastedBytes", "wastedMs", "totalBytes", "transferSize", "total", "scripting", "duration"):
        if isinstance(item.get(k), (int, float)) and not item.get("groupLabel"):
            parts.append(f"{k}={round(item[k])}")
    return " | ".join(parts) or json.dumps(item)[:200]


def failures(lhr: dict, category: str) -> list[str]:
    """The audits of a category that count towards its score and did not pass, with their items."""
    lines = []
    cat = lhr["categories"].get(category, {})
    for ref in cat.get("auditRefs", []):
        a = lhr["audits"].get(ref["id"], {})
        score, mode = a.get("score"), a.get("scoreDisplayMode")
        if mode in ("notApplicable", "manual", "informative") or score is None:
            continue
        if score >= 1 or (category == "performance" and ref.get("weight", 0) == 0 and score >= 0.9):
            continue
        weight = ref.get("weight", 0)
        value = f" ({a['displayValue']})" if a.get("displayValue") else ""
        lines.append(f"  [{category}] {ref['id']} score={score:.2f} weight={weight}{value}: {a.get('title', '')}")
        details = a.get("details") or {}
        items = details.get("items") or []
        for it in items[:8]:
            if isinstance(it, dict):
                if it.get("type") == "table" or "items" in it and not it.get("node"):
                    for sub in (it.get("items") or [])[:8]:
                        lines.append(f"      - {_item_text(sub)}")
                else:
                    lines.append(f"      - {_item_text(it)}")
        if len(items) > 8:
            lines.append(f"      ... and {len(items) - 8} more")
    return lines


def perf_metrics(lhr: dict) -> str:
    keys = [("first-contentful-paint", "FCP"), ("largest-contentful-paint", "LCP"), ("total-blocking-time", "TBT"),
            ("cumulative-layout-shift", "CLS"), ("speed-index", "SI")]
    return ", ".join(f"{short} {lhr['audits'][k].get('displayValue', '?')}" for k, short in keys if k in lhr["audits"])


def table(rows: list[tuple[str, dict[str, int | None]]]) -> list[str]:
    w = max([len("page")] + [len(p) for p, _ in rows])
    head = f"{'page':<{w}}  " + "  ".join(f"{SHORT[c]:>7}" for c in CATEGORIES)
    out = [head, "-" * len(head)]
    for page, s in rows:
        out.append(f"{page:<{w}}  " + "  ".join(f"{'-' if s[c] is None else s[c]:>7}" for c in CATEGORIES))
    mins = {c: min((s[c] for _, s in rows if s[c] is not None), default=None) for c in CATEGORIES}
    out.append("-" * len(head))
    out.append(f"{'minimum':<{w}}  " + "  ".join(f"{'-' if mins[c] is None else mins[c]:>7}" for c in CATEGORIES))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("site_dir", type=Path)
    ap.add_argument("--json-dir", type=Path, help="keep each page's Lighthouse JSON report here")
    ap.add_argument("--pages", nargs="*", help="only these page paths (e.g. '' for the home page, 'sources/')")
    ap.add_argument("--runs", type=int, default=1,
                    help="Lighthouse runs per page; the run with the median performance score is reported "
                         "(performance varies from run to run, more on a busy machine)")
    args = ap.parse_args(argv)

    site = args.site_dir.resolve()
    if not (site / "index.html").is_file():
        print(f"audit: {site} has no index.html; run `make build` first", file=sys.stderr)
        return 2
    if not LIGHTHOUSE.exists():
        print(f"audit: {LIGHTHOUSE} is missing; run `make lighthouse`", file=sys.stderr)
        return 2
    pages = site_pages(site) if args.pages is None else args.pages
    work = Path(tempfile.mkdtemp(prefix="audit-"))
    rows: list[tuple[str, dict]] = []
    details: dict[str, list[str]] = {}
    metrics: dict[str, str] = {}
    broken = False
    print(f"audit: Lighthouse {_lh_version()} (default config: mobile, simulated throttling) on {len(pages)} pages "
          f"of {site}, served gzip-compressed; {args.runs} run(s) per page", flush=True)
    try:
        with serve_site(site) as (base, _stats):
            for i, page in enumerate(pages, 1):
                name = "/" + page
                out = work / f"{i:02d}.json"
                print(f"  [{i}/{len(pages)}] {name} ...", end=" ", flush=True)
                try:
                    runs = []
                    for r in range(max(1, args.runs)):
                        runs.append(run_lighthouse(base + page, out.with_suffix(f".{r}.json")))
                    runs.sort(key=lambda x: x["categories"]["performance"]["score"] or 0)
                    lhr = runs[len(runs) // 2]
                    out.write_text(json.dumps(lhr), encoding="utf-8")
                except (RuntimeError, subprocess.TimeoutExpired, json.JSONDecodeError) as e:
                    print("FAILED")
                    print(f"    {e}", file=sys.stderr)
                    broken = True
                    rows.append((name, {c: None for c in CATEGORIES}))
                    continue
                s = scores(lhr)
                rows.append((name, s))
                metrics[name] = perf_metrics(lhr)
                spread = (f" (performance of {len(runs)} runs: {', '.join(str(scores(x)['performance']) for x in runs)})"
                          if len(runs) > 1 else "")
                print(" ".join(f"{SHORT[c]}={s[c]}" for c in CATEGORIES) + spread, flush=True)
                details[name] = [ln for c in CATEGORIES if s[c] is not None and s[c] < BUDGETS[c]
                                 for ln in failures(lhr, c)]
                if args.json_dir:
                    args.json_dir.mkdir(parents=True, exist_ok=True)
                    dest = "home" if not page else page.strip("/").replace("/", "_")
                    shutil.copyfile(out, args.json_dir / f"{dest}.json")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print()
    print("\n".join(table(rows)))
    print("budgets: " + ", ".join(f"{c} >= {b}" if b < 100 else f"{c} = 100" for c, b in BUDGETS.items()))
    misses = []
    for page, s in rows:
        missed = [f"{c} {s[c]} < {BUDGETS[c]}" for c in CATEGORIES if s[c] is not None and s[c] < BUDGETS[c]]
        if missed:
            misses.append((page, missed))
    print()
    if misses:
        print(f"{len(misses)} page(s) miss a budget:")
        for page, missed in misses:
            print(f"{page}: {'; '.join(missed)}  [{metrics.get(page, '')}]")
            for ln in details.get(page, []):
                print(ln)
    else:
        print("every page meets every budget")
    if broken:
        print("audit: Lighthouse failed on some pages (see above)", file=sys.stderr)
        return 2
    return 1 if misses else 0


def _lh_version() -> str:
    try:
        pkg = ROOT / "tools" / "lighthouse" / "node_modules" / "lighthouse" / "package.json"
        return json.loads(pkg.read_text())["version"]
    except (OSError, ValueError, KeyError):
        return "?"


if __name__ == "__main__":
    sys.exit(main())
