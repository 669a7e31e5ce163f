/* Charts become interactive when they come near the viewport.
 *
 * The static SVG is the chart: it shows without JavaScript and in print. This script only
 * enhances it. It loads the self-hosted Vega bundle once, the first time a chart nears the
 * viewport after the reader has engaged with the page (scrolled, pointed, typed or touched:
 * the first view costs no Vega bytes, even when a chart sits in it; the page-weight budget
 * counts a first view), renders the chart's Vega-Lite spec (an external JSON file) in place
 * of the image, re-themes live charts when the reader toggles light/dark, and, under
 * Material's instant navigation, releases the old page's views before rendering the new
 * page's charts.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var ROOT = script ? script.src.replace(/assets\/js\/charts\.js(\?.*)?$/, "") : "/";
  var bundle = null;   // Promise of the Vega bundle, loaded once
  var themes = null;   // Promise of theme.json, loaded once
  var live = new Map(); // figure -> {result, spec}
  var observer = null;
  var NEAR = 300;          // px: how near the viewport a chart goes live
  var pending = new Set(); // figures near the viewport, waiting for the reader's first interaction
  var engaged = false;     // has the reader interacted with the page yet?
  var ENGAGE = ["scroll", "wheel", "pointerdown", "pointermove", "keydown", "touchstart", "focusin"];

  function scheme() {
    return document.body.getAttribute("data-md-color-scheme") === "slate" ? "dark" : "light";
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src;
      s.async = true;
      s.onload = resolve;
      s.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(s);
    });
  }

  function loadVega() {
    if (!bundle) bundle = window.vegaEmbed ? Promise.resolve() : loadScript(ROOT + "assets/vendor/vega-bundle.js");
    return bundle;
  }

  function loadThemes() {
    if (!themes) themes = fetch(ROOT + "assets/charts/theme.json").then(function (r) { return r.json(); });
    return themes;
  }

  function merge(base, own) {
    var out = {};
    Object.keys(base).forEach(function (k) { out[k] = base[k]; });
    Object.keys(own || {}).forEach(function (k) {
      var b = base[k], o = own[k];
      out[k] = (b && o && typeof b === "object" && typeof o === "object" && !Array.isArray(b)) ? merge(b, o) : o;
    });
    return out;
  }

  // Vega titles do not wrap: break them for the width at hand (as theme.py does for the SVGs).
  function wrap(value, chars) {
    var words = (Array.isArray(value) ? value.join(" ") : String(value)).split(/\s+/), lines = [], line = "";
    words.forEach(function (w) {
      if (line && line.length + 1 + w.length > chars) { lines.push(line); line = w; } else { line = line ? line + " " + w : w; }
    });
    if (line) lines.push(line);
    return lines;
  }

  function rewrapTitle(view, width) {
    if (!view.title || typeof view.title !== "object") return;
    var chars = Math.max(30, Math.floor(width / 7.2));
    if (view.title.text) view.title.text = wrap(view.title.text, Math.floor(chars * 13 / 16));
    if (view.title.subtitle) view.title.subtitle = wrap(view.title.subtitle, chars);
  }

  function render(fig) {
    var holder = fig.querySelector(".chart__live");
    if (!holder || fig.dataset.state === "loading") return Promise.resolve();
    fig.dataset.state = "loading";
    var specP = live.has(fig) ? Promise.resolve(live.get(fig).spec)
      : fetch(fig.dataset.spec).then(function (r) { return r.json(); });
    return Promise.all([loadVega(), loadThemes(), specP]).then(function (all) {
      var spec = all[2];
      var s = scheme();
      var view = merge(spec, {});
      view.config = merge(all[1][s], spec.config || {});
      // "container" would measure the hidden live holder as zero wide: size from the figure.
      var width = Math.round(fig.getBoundingClientRect().width);
      fig.dataset.width = String(width);
      rewrapTitle(view, width);
      if (!view.hconcat && !view.vconcat && !view.concat) {
        view.width = width;
        view.autosize = { type: "fit-x", contains: "padding" };
      }
      release(fig);
      holder.innerHTML = "";
      return window.vegaEmbed(holder, view, {
        renderer: "svg",       // Vega's ARIA output exists only with SVG
        actions: false,
        ast: true,             // Vega's interpreter: no Function(), so no 'unsafe-eval' in the CSP
        defaultStyle: false,   // site.css styles the embed; nothing injected
        tooltip: { theme: s, disableDefaultStyle: true }
      }).then(function (result) {
        hideUnnamedGraphics(holder);
        live.set(fig, { result: result, spec: spec });
        fig.classList.add("chart--live");
        holder.removeAttribute("aria-hidden");
        fig.dataset.state = "live";
      });
    }).catch(function (err) {
      // The static image stays; say why in the console for authors.
      fig.dataset.state = "static";
      console.warn("chart " + fig.dataset.chart + " stays static:", err);
    });
  }

  // Vega gives a mark that has no description (a reference rule, say) a graphics role but no
  // name, which screen readers announce as an unlabelled image (axe: svg-img-alt). Such marks
  // are decoration: the chart's own label and the data table carry the content.
  function hideUnnamedGraphics(holder) {
    holder.querySelectorAll('svg [role="graphics-symbol"], svg [role="img"]').forEach(function (el) {
      var named = el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") ||
        el.querySelector("title, [aria-label]");
      if (!named) el.setAttribute("aria-hidden", "true");
    });
  }

  function release(fig) {
    var entry = live.get(fig);
    if (entry && entry.result) entry.result.finalize();
  }

  function releaseDetached() {
    live.forEach(function (entry, fig) {
      if (!document.body.contains(fig)) {
        if (entry.result) entry.result.finalize();
        live.delete(fig);
      }
    });
  }

  // Re-render a live chart when its figure changes width (rotation, window resize).
  var resizer = "ResizeObserver" in window ? new ResizeObserver(function (entries) {
    entries.forEach(function (e) {
      var fig = e.target, w = Math.round(e.contentRect.width);
      if (live.has(fig) && Math.abs(w - Number(fig.dataset.width || 0)) > 24) render(fig);
    });
  }) : null;

  function start(fig) {
    render(fig);
    if (resizer) resizer.observe(fig);
  }

  function near(fig) {
    var r = fig.getBoundingClientRect();
    return r.bottom >= -NEAR && r.top <= window.innerHeight + NEAR;
  }

  // The first interaction releases the charts that are still near the viewport (a first scroll
  // may have taken them away: they stay observed, and go live when they come near again).
  function engage() {
    if (engaged) return;
    engaged = true;
    ENGAGE.forEach(function (t) { window.removeEventListener(t, engage, true); });
    pending.forEach(function (fig) {
      if (document.body.contains(fig) && near(fig)) {
        if (observer) observer.unobserve(fig);
        start(fig);
      }
    });
    pending.clear();
  }
  ENGAGE.forEach(function (t) { window.addEventListener(t, engage, { capture: true, passive: true }); });

  function setup() {
    releaseDetached();
    pending.clear();
    if (observer) observer.disconnect();
    var figures = document.querySelectorAll("figure.chart[data-spec]");
    if (!figures.length) return;
    if (!("IntersectionObserver" in window)) { figures.forEach(start); return; }
    observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (!e.isIntersecting) {
          pending.delete(e.target);
        } else if (engaged) {
          observer.unobserve(e.target);
          start(e.target);
        } else {
          pending.add(e.target);   // goes live on the reader's first interaction
        }
      });
    }, { rootMargin: NEAR + "px 0px" });
    figures.forEach(function (f) { observer.observe(f); });
  }

  // Re-theme live charts when the reader toggles the scheme (no reload).
  new MutationObserver(function () {
    live.forEach(function (_entry, fig) { if (document.body.contains(fig)) render(fig); });
  }).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });

  // A link into a folded group of the Sources page unfolds it. Browsers do this themselves for
  // plain fragment navigation, but not when Material's instant navigation scrolls by script.
  function unfoldTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) return;
    var details = target.closest("details");
    if (details && !details.open) {
      details.open = true;
      target.scrollIntoView();
    }
  }
  window.addEventListener("hashchange", unfoldTarget);

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(unfoldTarget);
    window.document$.subscribe(setup);   // first load and every instant navigation
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
