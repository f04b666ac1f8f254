// Start the deck: a 1280x720 frame, speaker notes on "s", and slides that fit their frame.
(function () {
  "use strict";
  var WIDTH = 1280, HEIGHT = 720, SMALLEST = 0.6;
  var printing = /print-pdf/i.test(window.location.search);

  function leafSlides() {
    return Array.from(document.querySelectorAll(".reveal .slides section"))
      .filter(function (section) { return !section.querySelector("section"); });
  }

  function whenRendered() {
    var math = window.MathJax && MathJax.startup ? MathJax.startup.promise : Promise.resolve();
    var images = Array.from(document.images).map(function (img) {
      return img.complete ? Promise.resolve() : new Promise(function (done) {
        img.addEventListener("load", done);
        img.addEventListener("error", done);
      });
    });
    // Fonts last: a slide measured in a fallback font is measured wrong, and the typeset math
    // and the laid-out code ask for fonts of their own only once they are on the page.
    return Promise.all([math].concat(images)).then(requestEveryFont).then(function () {
      return new Promise(function (done) {
        requestAnimationFrame(function () { requestAnimationFrame(done); });
      });
    });
  }

  // A slide taller than the frame is zoomed out in steps of 5 % (never below 60 %), so nothing
  // is cut off and no slide needs a scrollbar.
  // Measured with a few pixels to spare: scrollHeight is rounded, and the slide as presented
  // can come out a pixel taller than the same slide measured here.
  var ROOM = HEIGHT - 4;
  function zoomFor(height) {
    if (height <= ROOM) return 1;
    return Math.max(SMALLEST, Math.floor(20 * ROOM / height) / 20);
  }

  // Show a slide (and its vertical stack, if any) with every fragment, run fn, put it back.
  function withSlideShown(section, fn) {
    var shown = [section, section.parentElement.closest("section")].filter(Boolean);
    var saved = shown.map(function (el) {
      return {el: el, display: el.style.display, hidden: el.hidden, zoom: el.style.zoom};
    });
    shown.forEach(function (el) { el.hidden = false; el.style.display = "block"; });
    section.style.zoom = "1";
    var fragments = Array.from(section.querySelectorAll(".fragment:not(.visible)"));
    fragments.forEach(function (f) { f.classList.add("visible"); });
    var result = fn(section);
    fragments.forEach(function (f) { f.classList.remove("visible"); });
    saved.forEach(function (s) {
      s.el.style.display = s.display; s.el.hidden = s.hidden; s.el.style.zoom = s.zoom;
    });
    return result;
  }

  // Measured on the real slides in the started deck (same container, same styles), each shown
  // for a moment with every fragment visible.
  function measuredZooms() {
    return leafSlides().map(function (section) {
      return withSlideShown(section, function (shown) { return zoomFor(shown.scrollHeight); });
    });
  }

  // The fonts come in unicode-range chunks, each asked for when text that needs it is laid out:
  // lay out every slide once, so that every chunk of the deck has arrived before it is measured.
  function requestEveryFont() {
    leafSlides().forEach(function (section) {
      withSlideShown(section, function (shown) { return shown.offsetHeight; });
    });
    return document.fonts.ready;
  }

  function applyZooms(zooms) {
    leafSlides().forEach(function (section, i) {
      section.style.zoom = zooms[i] === 1 ? "" : String(zooms[i]);
    });
  }
  window.courseMeasuredZooms = measuredZooms;

  var config = {
    width: WIDTH,
    height: HEIGHT,
    margin: 0.04,
    hash: true,
    controls: true,
    progress: true,
    slideNumber: "c/t",
    transition: "none",
    pdfSeparateFragments: false,  // a handout shows each slide once, complete,
    pdfMaxPagesPerSlide: 1,       // on one page (zoomed to fit like the slide itself)
    plugins: [RevealNotes]
  };

  whenRendered().then(function () {
    // The print layout (PDF handouts) is made when reveal.js starts, so it needs the zooms
    // first: slides/build.py measures them in the presenting view and hands them over.
    if (printing && window.courseSlideZooms) applyZooms(window.courseSlideZooms);
    return Reveal.initialize(config);
  }).then(function () {
    if (!printing) {
      applyZooms(measuredZooms());
      Reveal.layout();
      // a font that arrives later still changes the slides' heights: measure again
      document.fonts.addEventListener("loadingdone", function () {
        applyZooms(measuredZooms());
        Reveal.layout();
      });
    }
    document.documentElement.dataset.slidesReady = "true";
  });
})();
