/* Charts become interactive when they come near the viewport.
 *
 * The static SVG is the chart: it shows without JavaScript and in print. This script only
 * enhances it. It loads the self-hosted Vega bundle once, the first time a chart nears the
 * viewport after the reader has engaged with the page (scrolled, pointed, typed or touched:
 * the first view costs no Vega bytes, even when a chart sits in it; the page-weight budget
 * counts a first view), renders the chart's Vega-Lite spec (an external JSON file) in place
 * of the image, at the image's size and layout (nothing moves when it swaps), re-themes live charts when the reader toggles light/dark, and, under
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

  // Vega titles do not wrap: break them for the chart's width by the rule the static images
  // follow (theme.py's TITLE_WRAP, in theme.json).
  function wrap(value, chars) {
    var words = (Array.isArray(value) ? value.join(" ") : String(value)).split(/\s+/), lines = [], line = "";
    words.forEach(function (w) {
      if (!w) return;
      if (line && line.length + 1 + w.length > chars) { lines.push(line); line = w; } else { line = line ? line + " " + w : w; }
    });
    if (line) lines.push(line);
    return lines;
  }

  function rewrapTitle(view, width, rule) {
    if (!view.title || typeof view.title !== "object" || Array.isArray(view.title)) return;
    var narrow = width < rule.wide_width, size = narrow ? rule.title_size.narrow : rule.title_size.wide;
    if (narrow) view.title.fontSize = size;
    [["text", size], ["subtitle", rule.subtitle_size]].forEach(function (pair) {
      var chars = Math.max(rule.min_chars, Math.floor(width / (rule.em * pair[1]) * rule.margin));
      if (view.title[pair[0]]) view.title[pair[0]] = wrap(view.title[pair[0]], chars);
    });
  }

  // The live view is the static view: the same size and title lines as the image the page
  // shows at this width (the picture's narrow <source> on a phone, the wide image otherwise),
  // scaled to the column by the same CSS. So nothing moves when it replaces the image, and it
  // keeps the static image's guarantees. theme.py's _resize sizes the images' views; the
  // browser measures text a little differently from the renderer that drew them, so once drawn
  // the live view's plot is grown or shrunk until its outer size (axes, legend and title
  // included) is the image's, in each direction the chart does not size by a step per category.
  function variant(fig) {
    var source = fig.querySelector(".chart__static source[media]");
    return source && window.matchMedia(source.getAttribute("media")).matches ? "narrow" : "wide";
  }

  function imageSize(fig, kind) {
    var el = fig.querySelector(kind === "narrow" ? ".chart__static source[media]" : ".chart__static img");
    var w = el && Number(el.getAttribute("width")), h = el && Number(el.getAttribute("height"));
    return w && h ? { width: w, height: h } : null;
  }

  function stepped(value) { return !!value && typeof value === "object" && "step" in value; }

  // Size a single or layered view as theme.py sizes the images; the directions in which it can
  // be fitted to the image afterwards, or null (a concatenation keeps its own sizes).
  function resize(view, size, rule) {
    rewrapTitle(view, size.width, rule);
    if (view.hconcat || view.vconcat || view.concat || (view.facet && view.spec) || view.repeat) return null;
    view.width = size.width;
    if (view.height === undefined) view.height = size.height;   // a chart that sets its own keeps it
    return { x: !stepped(view.width), y: !stepped(view.height) };
  }

  // Each step moves the plot by the difference still to go, divided by how much the outer size
  // moved with the plot on the step before (less than 1:1 where an axis title or a legend longer
  // than the plot sets the outer size).
  function fitTo(vega, holder, outer, dirs) {
    if (!outer || !dirs) return Promise.resolve();
    var rate = { width: 1, height: 1 }, last = {}, done = { width: !dirs.x, height: !dirs.y };
    function step(tries) {
      var svg = holder.querySelector("svg");
      if (!svg || !tries) return Promise.resolve();
      var moved = false;
      ["width", "height"].forEach(function (key) {
        if (done[key]) return;
        var got = Number(svg.getAttribute(key)), inner = vega[key]();
        if (last[key] && last[key].inner !== inner) {
          if (Math.abs(got - last[key].got) < 0.5) {
            // The plot no longer sets the outer size (an axis title or legend does): keep the
            // plot as it was rather than squash it for nothing.
            vega[key](last[key].inner);
            done[key] = moved = true;
            return;
          }
          rate[key] = Math.min(1, Math.max(0.2, (got - last[key].got) / (inner - last[key].inner)));
        }
        var diff = outer[key] - got;
        last[key] = { inner: inner, got: got };
        if (Math.abs(diff) < 1) { done[key] = true; return; }
        vega[key](Math.max(20, Math.round(inner + diff / rate[key])));
        moved = true;
      });
      return moved ? vega.runAsync().then(function () { return step(tries - 1); }) : Promise.resolve();
    }
    return step(6);
  }

  function render(fig) {
    var holder = fig.querySelector(".chart__live");
    if (!holder || fig.dataset.state === "loading") return Promise.resolve();
    fig.dataset.state = "loading";
    var specP = live.has(fig) ? Promise.resolve(live.get(fig).spec)
      : fetch(fig.dataset.spec).then(function (r) { return r.json(); });
    return Promise.all([loadVega(), loadThemes(), specP]).then(function (all) {
      var spec = all[2], themes = all[1];
      var s = scheme();
      var view = merge(spec, {});
      view.config = merge(themes[s], spec.config || {});
      var kind = variant(fig);
      fig.dataset.variant = kind;
      var dirs = resize(view, themes.layout[kind], themes.layout.title);
      release(fig);
      // A re-render (scheme toggle, phone rotated) keeps the chart's height while it redraws.
      if (fig.classList.contains("chart--live")) holder.style.minHeight = holder.offsetHeight + "px";
      holder.innerHTML = "";
      return window.vegaEmbed(holder, view, {
        renderer: "svg",       // Vega's ARIA output exists only with SVG
        actions: false,
        ast: true,             // Vega's interpreter: no Function(), so no 'unsafe-eval' in the CSP
        defaultStyle: false,   // site.css styles the embed; nothing injected
        tooltip: { theme: s, disableDefaultStyle: true }
      }).then(function (result) {
        return fitTo(result.view, holder, imageSize(fig, kind), dirs).then(function () { return result; });
      }).then(function (result) {
        holder.style.minHeight = "";
        hideUnnamedGraphics(holder);
        live.set(fig, { result: result, spec: spec });
        fig.classList.add("chart--live");
        holder.removeAttribute("aria-hidden");
        fig.dataset.state = "live";
      });
    }).catch(function (err) {
      // The static image stays (or comes back); say why in the console for authors.
      holder.style.minHeight = "";
      fig.classList.remove("chart--live");
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

  // Re-render a live chart when the page switches between the wide and the narrow image
  // (rotation, window resize); within one, CSS scales the chart as it scales the image.
  var resizer = "ResizeObserver" in window ? new ResizeObserver(function (entries) {
    entries.forEach(function (e) {
      var fig = e.target;
      if (live.has(fig) && variant(fig) !== fig.dataset.variant) render(fig);
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
