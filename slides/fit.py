"""Split crowded slides: set `subslide` on the cell where a slide overflows its frame.

    .venv/bin/python slides/fit.py chapters/ko/01_gradient_clipping.ipynb   # both languages
    .venv/bin/python slides/fit.py --check chapters/*/0*.ipynb             # report only

A slide must fit 1280x720; the deck zooms a crowded one out, and below 70 % it is unreadable
(tests/test_slides.py fails). This tool builds the decks, measures every slide in Chromium and,
where a slide needs more than `--zoom` (default 80 %), starts a new subslide at the first cell
that does not fit. The Korean and English notebooks get the same change (their slide metadata
must stay identical), taken from whichever language is longer. Cells are never reordered or
edited, only their `slide_type`; a single cell too tall for a slide is reported for the author.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build  # noqa: E402  (slides/build.py)

ROOT = build.ROOT
HEIGHT = 720

MEASURE_JS = """async () => {
  const out = [];
  for (const slide of Reveal.getSlides()) {
    const {h, v} = Reveal.getIndices(slide);
    Reveal.slide(h, v, Number.MAX_SAFE_INTEGER);
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    const zoom = parseFloat(slide.style.zoom || '1');
    slide.style.zoom = '1';                       // measure at full size
    const top = slide.getBoundingClientRect().top;
    const scale = Reveal.getScale();
    const cells = Array.from(slide.querySelectorAll('.jp-Cell'))
      .filter(c => !c.closest('aside.notes'))       // speaker notes are not on the slide
      .map(c => ({
      id: (c.id || '').replace('cell-id=', ''),
      bottom: (c.getBoundingClientRect().bottom - top) / scale}));
    slide.style.zoom = String(zoom);
    out.push({h, v, zoom, cells});
  }
  return out;
}"""


def measure(decks: list[Path]) -> dict[Path, list[dict]]:
    from playwright.sync_api import sync_playwright
    results = {}
    with build.serve(build.OUT) as base, sync_playwright() as playwright:
        browser = build.launch_chromium(playwright)
        for deck in decks:
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(base + str(deck.relative_to(build.OUT)))
            page.wait_for_function(build.READY, timeout=60_000)
            results[deck] = page.evaluate(MEASURE_JS)
            page.close()
        browser.close()
    return results


def splits_for(slides: list[dict], min_zoom: float) -> tuple[set[str], list[str]]:
    """Cells that must start a new subslide, and slides that no split can save."""
    limit = HEIGHT / min_zoom
    split, hopeless = set(), []
    for slide in slides:
        if not slide["cells"] or slide["cells"][-1]["bottom"] <= limit:
            continue
        start = 0.0
        for index, cell in enumerate(slide["cells"]):
            if cell["bottom"] - start > limit:
                if index == 0 or slide["cells"][index - 1]["bottom"] == start:
                    hopeless.append(f"slide {slide['h']}.{slide['v']}, cell {cell['id']}")
                    start = cell["bottom"]
                    continue
                split.add(cell["id"])
                start = slide["cells"][index - 1]["bottom"]
    return split, hopeless


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--zoom", type=float, default=0.8,
                        help="smallest zoom a slide may need before it is split (default 0.8)")
    parser.add_argument("--check", action="store_true", help="report, change nothing")
    args = parser.parse_args()
    stems = sorted({p.stem for p in args.notebooks})
    build.copy_assets()
    for round_ in range(4):
        pairs = {stem: [ROOT / "chapters" / lang / f"{stem}.ipynb" for lang in ("ko", "en")]
                 for stem in stems}
        decks = {path: build.build_deck(path) for paths in pairs.values() for path in paths}
        measured = measure(list(decks.values()))
        changed = False
        for stem, paths in pairs.items():
            split, hopeless = set(), []
            for path in paths:
                s, h = splits_for(measured[decks[path]], args.zoom)
                split |= s
                hopeless += [f"{path.parent.name}: {x}" for x in h]
            for line in hopeless:
                print(f"{stem}: too tall for any slide, shorten it: {line}")
            if not split:
                continue
            print(f"{stem}: new subslide at cells {sorted(split)}")
            if args.check:
                continue
            for path in paths:
                nb = nbformat.read(path, as_version=4)
                for cell in nb.cells:
                    if cell.get("id") in split:
                        cell.metadata["slideshow"]["slide_type"] = "subslide"
                nbformat.write(nb, path)
            changed = True
        if not changed:
            break
        stems = [s for s in stems]  # measure again: a split slide may still be too long


if __name__ == "__main__":
    main()
