"""What a reader relies on to trust the figures: where they were read, how that is credited, and
how the check adds up. Each test fails on a class of error a reader met before."""

from __future__ import annotations

import csv
import html
import io
import ipaddress
import json
import re
from urllib.parse import urlparse

from conftest import html_pages

from explainer.core import claims as C
from explainer.core import data as D
from explainer.core import settings
from explainer.core import source_quality as footing
from explainer.core.project import current_project
from explainer.core.records import Source
from explainer.steps import render


def test_the_footing_targets_can_fail():
    weak = footing.Tally()
    for _ in range(3):
        weak.add(Source.from_dict({"reliability": "low", "kind": "secondary summary"}))
    weak.add(Source.from_dict({"reliability": "high", "kind": "producer data file"}))
    assert len(footing.shortfalls(weak)) == 2


def _host_problem(url: str) -> str | None:
    """A bare IP, a reader proxy or a mirror that carries another site's address in its path."""
    u = urlparse(url)
    host = u.hostname or ""
    try:
        ipaddress.ip_address(host)
        return "bare IP address"
    except ValueError:
        pass
    if re.search(r"/(https?:/|www\.)", u.path) or re.search(r"(^|\.)(r\.jina\.ai|archive\.ph|12ft\.io)$", host):
        return "reader proxy or mirror"
    return None


def test_no_page_is_cited_at_a_bare_ip_proxy_or_mirror_address():
    bad = [
        (e.id, f, getattr(e, f), why)
        for e in D.registry()
        for f in ("url_main", "primary_url")
        if getattr(e, f) and (why := _host_problem(getattr(e, f)))
    ]
    assert not bad, bad
    assert _host_problem("http://61.152.230.22/news.html") and _host_problem("https://x.example/www.reuters.com/a")


def _figures(site) -> list[tuple[str, str]]:
    out = []
    for page in html_pages(site):
        text = page.read_text(encoding="utf-8")
        for m in re.finditer(r'<figure class="chart" id="chart-([\w-]+)".*?</figure>', text, re.S):
            out.append((m.group(1), m.group(0)))
    return out


def test_every_chart_credits_its_producers_with_at_most_three_links(site):
    registry = D.sources_by_id()
    figures = _figures(site)
    assert figures
    for chart_id, fig in figures:
        line = re.search(r'<p class="chart__sources">(.*?)</p>', fig, re.S).group(1)
        assert line.startswith("Source: "), (chart_id, line[:80])
        links = re.findall(r"<a ", line)
        assert 1 <= len(links) <= settings.MAX_SOURCE_LINKS, (chart_id, len(links))
        credit = line.split(". Read at:")[0]
        declared = render.load_module(chart_id).SOURCES
        for sid in declared:
            producer = registry[sid].producer.split(" (")[0]
            assert producer.lower() in credit.lower(), f"{chart_id}: the source line does not name {producer}"
        assert "Row by row" not in line


def test_every_chart_download_carries_each_rows_source_and_its_url(site):
    registry = D.sources_by_id()
    for chart_id, _ in _figures(site):
        text = (site / "assets" / "charts" / f"{chart_id}.csv").read_text(encoding="utf-8")
        rows = list(csv.DictReader(io.StringIO(text)))
        cols = [c for c in rows[0] if D.is_source_column(c)]
        assert cols, f"{chart_id}.csv has no source column"
        for r in rows:
            for c in cols:
                assert r[f"{c}_url"] == registry[r[c]].url_main, (chart_id, c, r[c])


def test_the_sources_page_is_a_bibliography_by_producer(site):
    page = (site / "sources" / "index.html").read_text(encoding="utf-8")
    assert '<table class="footing">' in page
    for name in D.dataset_names():
        assert f"<td>{D.schema(name)['title']}</td>" in page.replace("&#x27;", "'"), name
    producers = {e.producer for e in D.registry()}
    headings = re.findall(r'<h3 id="producer-[^"]+" class="source-group__title">([^<]+)</h3>', page)
    assert sorted(html.unescape(h) for h in headings) == sorted(producers)
    # Under each producer its own publications and data come first.
    order = {k: i for i, k in enumerate(settings.names(settings.SOURCE_KINDS))}
    for block in page.split('class="source-group__title"')[1:]:
        kinds = re.findall(r"<b>Kind:</b> ([^.]+)\.", block.split("</details>")[0])
        assert [order[k] for k in kinds] == sorted(order[k] for k in kinds)
    assert "<b>Notes:</b>" not in page, "internal research notes stay off reader pages"


def test_a_year_slip_shows_on_every_card_that_carries_it():
    """A right figure with the wrong year is a different year on its own card, never a match; a card
    that repeats another's slip says so."""
    results = {r.id: r for r in C.evaluate_all()}
    for r in results.values():
        target = r.claim.year_slip
        if target:
            assert results[target].verdict == "different year", (r.id, target)
            assert r.verdict == "different year", f"{r.id} carries {target}'s slip of year but says {r.verdict}"
            assert f"same slip of year as {target}" in r.how


def test_the_published_data_package_validates_and_holds_every_dataset(site):
    import zipfile

    from frictionless import Package

    folder = site / "assets" / "data"
    report = Package(str(folder / "datapackage.json")).validate()
    assert report.valid, [e.message for t in report.tasks for e in t.errors][:5]
    names = {r["path"] for r in json.loads((folder / "datapackage.json").read_text())["resources"]}
    assert names == {f"{n}.csv" for n in D.dataset_names()} | {"claims.csv"}
    with zipfile.ZipFile(folder / "data.zip") as z:
        assert names | {"datapackage.json", "sources.yaml", "claims.json"} <= set(z.namelist())
    claims_rows = list(csv.DictReader(io.StringIO((folder / "claims.csv").read_text(encoding="utf-8"))))
    assert [r["id"] for r in claims_rows] == [c.id for c in D.claims()]
    sources_page = (site / "sources" / "index.html").read_text(encoding="utf-8")
    assert "assets/data/datapackage.json" in sources_page and "assets/data/data.zip" in sources_page


def test_sources_and_pages_can_be_cited(site):
    folder = site / "assets" / "data"
    bib = (folder / "sources.bib").read_text(encoding="utf-8")
    keys = re.findall(r"^@misc\{([^,]+),$", bib, re.M)
    assert sorted(keys) == sorted(e.id for e in D.registry())
    assert bib.count("{") == bib.count("}"), "unbalanced braces in the BibTeX"
    csl = json.loads((folder / "sources.csl.json").read_text(encoding="utf-8"))
    assert {c["id"] for c in csl} == set(keys)
    assert all(c["title"] and c["URL"].startswith("http") and c["author"] for c in csl)
    config = current_project().config
    base = str(config["site_url"]).rstrip("/") + "/"
    for page in html_pages(site):
        rel = page.relative_to(site).as_posix()
        if rel in ("404.html",) or rel.startswith("methods/") or rel.endswith("/embed/index.html"):
            continue
        text = page.read_text(encoding="utf-8")
        url = base + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)
        block = re.search(r'<details class="cite"><summary>Cite this page</summary>(.*?)</details>', text, re.S)
        assert block and url in block.group(1), f"{rel}: no 'Cite this page' with {url}"
        assert "@misc{" in block.group(1)
    sources_page = (site / "sources" / "index.html").read_text(encoding="utf-8")
    assert sources_page.count('class="source__cite"') == len(D.registry()), "a Cite link on every entry"


def test_every_page_has_a_share_card(site):
    import struct

    config = current_project().config
    base = str(config["site_url"]).rstrip("/") + "/"
    for page in html_pages(site):
        rel = page.relative_to(site).as_posix()
        if rel == "404.html" or rel.endswith("/embed/index.html"):
            continue  # the embed pages are made for an <iframe>
        head = page.read_text(encoding="utf-8").split("</head>")[0]
        tags = dict(re.findall(r'<meta (?:property|name)="((?:og|twitter):[\w:]+)" content="([^"]*)"', head))
        for key in ("og:title", "og:description", "og:image", "og:url", "twitter:card"):
            assert tags.get(key), f"{rel}: no {key}"
        assert tags["og:image"].startswith(base)
        png = site / tags["og:image"][len(base) :]
        data = png.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", data[16:24]) == (1200, 630), rel


def test_corrections_list_the_changes_to_the_data_with_the_verdicts_that_moved(site):
    """Below the readers' corrections, "Data changes": each change that revised a figure or moved a
    verdict, in words; changes that did neither (a reworded note, a build step) are not listed."""
    import xml.etree.ElementTree as ET

    from explainer.content import changelog
    from explainer.core import corrections as fixes

    shown = changelog.reader_changes()
    assert shown, "the data's history is readable"
    hidden = [c for c in changelog.changes() if c not in shown]
    page = (site / "corrections" / "index.html").read_text(encoding="utf-8")
    assert page.index('id="corrections"') < page.index('id="data-changes"'), "corrections first, data changes below"
    for c in shown:
        assert f'id="change-{c.commit[:12]}"' in page
        assert c.verdicts or any(sum(f[1:4]) for f in c.figures)
        for cid, before, after in c.verdicts:
            if before is None:  # a claim added to the ledger reads as new, not "from none"
                assert f">{cid}</a>: new claim, <b>{after}</b></li>" in page, cid
            else:
                assert f">{cid}</a>: from <b>{before}</b> to <b>{after}</b></li>" in page, cid
    for c in hidden:
        assert not c.verdicts and not any(sum(f[1:4]) for f in c.figures)
        assert f'id="change-{c.commit[:12]}"' not in page
    if not current_project().repo_url():
        assert "/commit/" not in page, "a change links to its commit only where a repository shows it"
    feed = ET.fromstring((site / "assets" / "corrections.xml").read_bytes())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert len(feed.findall("a:entry", ns)) == len(shown) + len(fixes.corrections())
    assert "assets/corrections.xml" in page


def test_every_chart_has_its_own_page_and_an_embed_page(site):
    from explainer.content.fragments import Site

    metas = Site.load().metas
    assert metas
    base = str(current_project().config["site_url"]).rstrip("/") + "/"
    for chart_id in metas:
        page = (site / "charts" / chart_id / "index.html").read_text(encoding="utf-8")
        assert f'id="chart-{chart_id}"' in page and 'class="chart__sources"' in page and f"{chart_id}.csv" in page
        text = html.unescape(re.sub(r"<[^>]+>", "", page))
        assert "<iframe" in text and f"/charts/{chart_id}/embed/" in text, "no embed snippet"
        # Its links lead to the section that explains it and to the cards of the claims on its data.
        here = site / "charts" / chart_id
        article = page.split("<article", 1)[1]
        article = re.sub(r'<p class="byline">.*?</p>', "", article, flags=re.S)  # who keeps the site
        for href in re.findall(r'href="(\.\./\.\./[^"#]*)(?:#claim-(C\d+))?"', article):
            target, claim = href
            if target.startswith("../../assets/"):
                continue
            target_page = (here / target / "index.html").resolve().read_text(encoding="utf-8")
            assert f'id="claim-{claim}"' in target_page if claim else f'id="chart-{chart_id}"' in target_page
        shown_on = [p for p in html_pages(site) if f'id="chart-{chart_id}"' in p.read_text(encoding="utf-8")]
        for p in shown_on:
            if "/charts/" not in p.as_posix():
                assert f'charts/{chart_id}/">Share or embed this chart' in p.read_text(encoding="utf-8"), p
        embed = (site / "charts" / chart_id / "embed" / "index.html").read_text(encoding="utf-8")
        assert f"{chart_id}.light.svg" in embed and "Source: " in embed
        assert "<script" not in embed, "the embed page runs no script"
        assert f'<link rel="canonical" href="{base}charts/{chart_id}/">' in embed, "credit goes to the chart's page"
        # Without an icon of its own, a browser asks for /favicon.ico, which is not there (a 404).
        icon = re.search(r'<link rel="icon" href="([^"]+)"', embed)
        assert icon and (site / "charts" / chart_id / "embed" / icon.group(1)).resolve().is_file(), "no icon"
        assert len(embed.encode()) < 8_000


def test_links_side_by_side_in_a_source_line_read_differently(site):
    """A reader must be able to tell two sources in one line apart by their words alone
    (two links both reading "Producer (github.com)" say nothing about which is which)."""
    line = re.compile(r'<(p|div) class="(?:chart__sources|claim__sources)"[^>]*>(.*?)</\1>', re.S)
    link = re.compile(r'<a href="([^"]+)"[^>]*>(.*?)</a>', re.S)
    checked = 0
    for page in html_pages(site):
        for _, body in line.findall(page.read_text(encoding="utf-8")):
            targets: dict[str, set[str]] = {}
            for href, text in link.findall(body):
                targets.setdefault(html.unescape(re.sub(r"<[^>]+>", "", text)).strip(), set()).add(href)
            same = {t: sorted(h) for t, h in targets.items() if len(h) > 1}
            assert not same, f"{page.relative_to(site)}: links read the same but lead apart: {same}"
            checked += 1
    assert checked > 20
