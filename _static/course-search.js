// The search page of one language's site, with Pagefind (its index is built with the site).
// Jupyter Book loads this file on every page; it acts only on the search page.
(function () {
  "use strict";

  // Korean attaches particles to words (학습률은, 학습률을, 학습률이). The index matches word
  // prefixes, so a query word stripped of its particle finds every inflected form.
  var PARTICLES = ["에서는", "으로는", "에서", "에게", "으로", "부터", "까지", "보다", "처럼",
                   "이나", "은", "는", "이", "가", "을", "를", "의", "에", "로", "와", "과",
                   "도", "만"];
  var HANGUL = /[\uac00-\ud7a3]/;

  function stripParticle(word) {
    if (!HANGUL.test(word) || word.length < 2) return word;
    for (var i = 0; i < PARTICLES.length; i++) {
      var p = PARTICLES[i];
      if (word.length > p.length && word.slice(-p.length) === p) {
        return word.slice(0, -p.length);
      }
    }
    return word;
  }

  function normalizeQuery(query) {
    return query.split(/\s+/).map(stripParticle).join(" ");
  }
  window.courseNormalizeQuery = normalizeQuery;  // the browser tests check it

  function siteRoot() {
    var root = document.documentElement.getAttribute("data-content_root") || "./";
    return new URL(root, window.location.href);
  }

  // the search page's words, in the site's language (_ext/course_ext.py: SEARCH_WORDS)
  var UI_TEXT = (window.COURSE_WORDS || {}).search || {};

  // Pagefind's input has only a placeholder; screen readers need a real label.
  function labelSearchInput(label) {
    var input = document.querySelector(".pagefind-ui__search-input");
    if (input) input.setAttribute("aria-label", label);
    else window.requestAnimationFrame(function () { labelSearchInput(label); });
  }

  function runSearchPage(box) {
    var lang = document.documentElement.lang;
    var query = new URLSearchParams(window.location.search).get("q") || "";
    var bundle = new URL("pagefind/", siteRoot());
    // the switch to the other language's search page searches the same words there
    document.querySelectorAll("a.course-language-switch").forEach(function (a) {
      if (query) a.search = "?" + new URLSearchParams({ q: query }).toString();
    });
    box.setAttribute("lang", lang);
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = new URL("pagefind-ui.css", bundle).href;
    document.head.appendChild(css);
    var script = document.createElement("script");
    script.src = new URL("pagefind-ui.js", bundle).href;
    script.onload = function () {
      var ui = new window.PagefindUI({
        element: "#course-search",
        bundlePath: bundle.href,
        baseUrl: siteRoot().pathname,
        showImages: false,
        showSubResults: true,
        resetStyles: false,
        processTerm: normalizeQuery,
        translations: UI_TEXT
      });
      labelSearchInput(UI_TEXT.search_label);
      if (query) ui.triggerSearch(query);
    };
    document.head.appendChild(script);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("course-search");
    if (box) runSearchPage(box);
  });
})();
