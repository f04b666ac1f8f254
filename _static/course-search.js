// Search for a bilingual book, with Pagefind (indexes built at build time, served by the site).
// Jupyter Book loads this file on every page: there it only tells the search form which
// language the reader is reading; on the search page it runs the search.
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

  function rememberLanguage() {
    var lang = document.documentElement.lang === "en" ? "en" : "ko";
    document.querySelectorAll("form.bd-search").forEach(function (form) {
      if (form.querySelector("input[name=lang]")) return;
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "lang";
      input.value = lang;
      form.appendChild(input);
    });
  }

  var UI_TEXT = {
    ko: { placeholder: "검색어 (예: 학습률, 가중치 감쇠)", clear_search: "지우기",
          load_more: "결과 더 보기", search_label: "이 책에서 검색",
          zero_results: "[SEARCH_TERM]에 대한 결과가 없습니다",
          many_results: "[SEARCH_TERM]: 결과 [COUNT]개", one_result: "[SEARCH_TERM]: 결과 1개",
          searching: "[SEARCH_TERM] 검색 중…" },
    en: { placeholder: "Search (e.g. warmup, weight decay)", search_label: "Search this book" }
  };

  // Pagefind's input has only a placeholder; screen readers need a real label.
  function labelSearchInput(label) {
    var input = document.querySelector(".pagefind-ui__search-input");
    if (input) input.setAttribute("aria-label", label);
    else window.requestAnimationFrame(function () { labelSearchInput(label); });
  }

  function runSearchPage(box) {
    var params = new URLSearchParams(window.location.search);
    var lang = params.get("lang") === "en" ? "en" : "ko";
    var query = params.get("q") || "";
    var bundle = new URL("pagefind-" + lang + "/", siteRoot());
    document.querySelectorAll(".course-search-languages a").forEach(function (a) {
      var target = new URLSearchParams({ lang: a.dataset.lang, q: query });
      a.href = "?" + target.toString();
      if (a.dataset.lang === lang) a.setAttribute("aria-current", "true");
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
        translations: UI_TEXT[lang]
      });
      labelSearchInput(UI_TEXT[lang].search_label || "Search this book");
      if (query) ui.triggerSearch(query);
    };
    document.head.appendChild(script);
  }

  document.addEventListener("DOMContentLoaded", function () {
    rememberLanguage();
    var box = document.getElementById("course-search");
    if (box) runSearchPage(box);
  });
})();
