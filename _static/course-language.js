// The page's language, beyond what the message catalogs reach (_ext/course_ext.py gives this
// script the site's words as window.COURSE_WORDS, from locale/*/LC_MESSAGES/course.po):
// - sphinx-copybutton has no Korean: its table of messages (a global) gets the site's words;
// - sphinx-togglebutton and myst-nb hard-code "Toggle hidden content" in their markup;
// - the language switch remembers the reader's choice, so that the site's root (the language
//   chooser) sends them to that language next time rather than to the browser's.
(function () {
  "use strict";
  var words = (window.COURSE_WORDS || {}).script || {};
  var lang = document.documentElement.lang;

  // copybutton.js (loaded before this file) picked its language when it loaded
  if (typeof messages === "object" && !messages[lang]) {
    /* global messages, locale */
    messages[lang] = { copy: words["Copy"], copy_to_clipboard: words["Copy to clipboard"],
                       copy_success: words["Copied!"], copy_failure: words["Failed to copy"] };
    locale = lang;  // eslint-disable-line no-global-assign
  }

  function labelToggles() {
    document.querySelectorAll('[aria-label="Toggle hidden content"]').forEach(function (el) {
      el.setAttribute("aria-label", words["Toggle hidden content"]);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    labelToggles();
    // togglebutton adds its buttons when the DOM is ready too, possibly after this
    window.setTimeout(labelToggles, 0);
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.course-language-switch");
    if (!link) return;
    try { localStorage.setItem("course-language", link.hreflang); } catch (e) { /* file:// */ }
  });
})();
