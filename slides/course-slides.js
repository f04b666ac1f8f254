// Start the deck: a 1280x720 frame, speaker notes on "s", and slides that fit their frame.
(function () {
  "use strict";
  var WIDTH = 1280, HEIGHT = 720, SMALLEST = 60;

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
    // fonts too: a slide measured in a fallback font is measured wrong
    return Promise.all([math, document.fonts.ready].concat(images));
  }

  // A slide taller than the frame is zoomed out (never below 60 %), so nothing is cut off and
  // no slide needs a scrollbar. Measured on a copy laid out at the frame's width,
  // before reveal.js starts, so that the print layout (PDF handouts) sees the fitted slides.
  function fitSlides() {
    var probe = document.createElement("div");
    probe.className = "reveal";
    probe.setAttribute("aria-hidden", "true");
    probe.style.cssText = "position:absolute;left:-100000px;top:0;width:" + WIDTH + "px;visibility:hidden";
    var slides = document.createElement("div");
    slides.className = "slides";
    probe.appendChild(slides);
    document.body.appendChild(probe);
    leafSlides().forEach(function (section) {
      var copy = section.cloneNode(true);
      copy.style.cssText = "display:block;position:relative;width:" + WIDTH + "px;height:auto;";
      slides.appendChild(copy);
      for (var size = 100; copy.getBoundingClientRect().height > HEIGHT && size > SMALLEST;) {
        size -= 5;
        copy.style.zoom = size / 100;
        section.style.zoom = size / 100;
      }
      slides.removeChild(copy);
    });
    document.body.removeChild(probe);
  }

  whenRendered().then(function () {
    fitSlides();
    return Reveal.initialize({
      width: WIDTH,
      height: HEIGHT,
      margin: 0.04,
      hash: true,
      controls: true,
      progress: true,
      slideNumber: "c/t",
      transition: "none",
      pdfSeparateFragments: false,  // a handout shows each slide once, complete
      plugins: [RevealNotes]
    });
  }).then(function () {
    document.documentElement.dataset.slidesReady = "true";
  });
})();
