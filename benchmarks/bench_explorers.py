"""How fast the explorers redraw on a phone-class CPU: a benchmark, not a test.

Each explorer of regkit/explorers.py on a page of its own in headless Chromium, its CPU slowed
down 4x (Chrome DevTools' "mid-tier mobile" setting), every control it shows moved ten times (a
menu through its choices three times) and put back; the time from the change to the end of its
redraw (the handlers draw synchronously), against one frame at 60 Hz (16.7 ms). Prints a
Markdown table for the README.

    .venv/bin/python benchmarks/bench_explorers.py
"""

import statistics
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "slides"))

MEASURE = """([selector, values]) => {
  const control = document.querySelector(selector), times = [], initial = control.value;
  const change = () => control.dispatchEvent(new Event(control.tagName === "SELECT" ? "change" : "input"));
  for (const value of values) {
    control.value = value;
    const start = performance.now();
    change();
    void document.body.offsetHeight;  // layout included
    times.push(performance.now() - start);
  }
  // put back, so that the next control is timed on the figure as it was (a schedule family's
  // controls are only shown while their family is)
  control.value = initial;
  change();
  return times;
}"""


def recipe_sized_runs(explorers):
    """A runs explorer of chapter 6's size: five controls (64 choices, 9 of them trained), each
    trained choice 6 curves of 21 points and a row of the table. Its data are made up here (the
    chapters' come from their notebooks); the redraw cost depends on the sizes only."""
    import numpy as np
    rng = np.random.default_rng(0)
    sizes = (2, 2, 4, 2, 2)
    controls = [(f"c{i}", f"control {i}", [(str(k), str(k)) for k in range(n)], "0", False)
                for i, n in enumerate(sizes)]
    keys = ["0|0|0|0|0", "0|1|0|0|0", "0|0|1|0|0", "0|0|2|0|0", "0|0|3|0|0", "0|0|0|1|0",
            "0|0|0|0|1", "1|0|2|1|1", "1|1|2|1|1"]
    x = np.arange(0, 101, 5)
    def curve(**style):
        return dict(x=x, y=3.4 - np.cumsum(rng.uniform(0, 0.1, len(x))), **style)
    curves = {key: [curve(label="training", style=0), curve(label="validation", style=1)]
              + [curve(style=1, thin=True) for _ in range(4)] for key in keys}
    table = {"columns": ["", "train", "val", "best val"],
             "rows": [[key, *rng.uniform(2, 3, 3)] for key in keys], "row_of": {k: i for i, k in enumerate(keys)}}
    return explorers.runs(curves, controls, table, title="runs", x_label="step", y_label="loss",
                          y_range=(2.0, 3.6), lang="en")


def main():
    warnings.filterwarnings("ignore")
    from build import launch_chromium
    from playwright.sync_api import sync_playwright
    from regkit import explorers
    views = {"clipping (ch. 1)": explorers.clipping(lang="en"), "cliff (ch. 1)": explorers.cliff(lang="en"),
             "schedules (ch. 2-3)": explorers.schedules(lang="en"),
             "runs (ch. 5-6; chapter 6's size)": recipe_sized_runs(explorers)}
    page_file = Path(tempfile.mkdtemp()) / "explorers.html"
    explorers.Explorer.script_shown = False
    page_file.write_text("<!DOCTYPE html><meta charset='utf-8'>" + "".join(
        f"<section id='e{i}'>{view._repr_html_()}</section>" for i, view in enumerate(views.values())),
        encoding="utf-8")
    rows = ["| explorer | control | median (ms) | slowest (ms) | one frame (16.7 ms) |", "|---|---|---|---|---|"]
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(page_file.as_uri())
        # a reader moves a control once the page has settled: the schedules explorer builds its
        # families' panels while the page is idle, and an idle callback queued now runs after them
        page.evaluate("new Promise((done) => requestIdleCallback(() => done()))")
        page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": 4})
        for i, name in enumerate(views):
            controls = page.eval_on_selector_all(
                f"#e{i} input[type=range], #e{i} select",
                "els => els.filter(e => e.checkVisibility())"  # schedules: the shown family's only
                ".map(e => [e.id, e.tagName, +e.min, +e.max, [...(e.options || [])].map(o => o.value)])")
            for ident, tag, low, high, options in controls:
                selector = f"#{ident}"
                if tag == "SELECT":
                    values = options * 3
                else:
                    values = [str(low + (high - low) * k / 9) for k in range(10)]
                times = page.evaluate(MEASURE, [selector, values])
                slowest = max(times)
                rows.append(f"| {name} | `{selector.rsplit('-', 1)[-1]}` | {statistics.median(times):.1f} | "
                            f"{slowest:.1f} | {'within' if slowest <= 16.7 else '**over**'} |")
                print(rows[-1], flush=True)
        browser.close()
    print("\nRedraw after a change, CPU slowed down 4x (phone class):\n")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
