"""How long the course takes: each notebook, a clean build, a rebuild, the PDFs, the full tests;
and how much a reader downloads for each chapter.

A benchmark, not a test: it prints a Markdown table of measured figures against the course's
budgets (each notebook <= 15 s and <= 1 GB peak memory, clean build <= 120 s, rebuild with
nothing changed <= 5 s, both PDFs <= 2 min, full test command <= 5 min), for the README's
performance table.

    .venv/bin/python benchmarks/bench_book.py            # notebooks, clean build, rebuild
    .venv/bin/python benchmarks/bench_book.py --tests    # ... and the full test command
    .venv/bin/python benchmarks/bench_book.py --notebooks chapters/en/06_*.ipynb  # just those

A notebook's budget is timed as a student runs it: alone, with torch's default threads (one
per core) unless OMP_NUM_THREADS says otherwise; each is also timed with one thread, as the
build and the tests run it (two notebooks at once, one thread each).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The builds and tests timed here run as the Makefile runs them: two notebooks at once, one torch
# thread each. A notebook's own budget is timed as a student runs it, alone (measure_notebook).
STUDENT_THREADS = os.environ.pop("OMP_NUM_THREADS", None)
os.environ["OMP_NUM_THREADS"] = "1"
sys.path.insert(0, str(ROOT / "tests"))
from course import FONT_BYTES_JS, KEEP_EVERY_RESOURCE_JS, page_weight  # noqa: E402  (the measures of the tests)
BIN = Path(sys.executable).parent
BUILD = [str(BIN / "python"), "_ext/build_book.py"]  # what `make book` runs


def timed(command, cwd) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return time.perf_counter() - start


def measure_notebook(path: Path, threads: str | None = STUDENT_THREADS):
    """Wall time (s) and peak memory (MB) of running the notebook top to bottom in a fresh kernel.

    The time runs from starting the kernel to the end of the last cell, as "Restart kernel and
    run all" in JupyterLab: the kernel's start, its imports and every cell (nbclient executes the
    notebook, as nbconvert and nbval do; the measuring interpreter's own imports are not timed).
    ``threads`` is the kernel's OMP_NUM_THREADS: by default what the caller's environment had
    (unset: torch takes a thread per core, as in a student's JupyterLab); "1" as the build and
    the tests run it. Each notebook runs under its own fresh interpreter, whose RUSAGE_CHILDREN
    peak is then the kernel's (a running maximum would otherwise carry over).
    """
    env = {key: value for key, value in os.environ.items() if key != "OMP_NUM_THREADS"}
    if threads is not None:
        env["OMP_NUM_THREADS"] = threads
    code = (
        "import resource, sys, time\n"
        "import nbformat\n"
        "from nbclient import NotebookClient\n"
        "notebook = nbformat.read(sys.argv[1], as_version=4)\n"
        "client = NotebookClient(notebook, timeout=600, kernel_name='python3',"
        " resources={'metadata': {'path': '.'}})\n"
        "t = time.perf_counter()\n"
        "client.execute()\n"
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(path)], cwd=path.parent,
                         capture_output=True, text=True, env=env)
    if out.returncode != 0:
        sys.exit(f"{path} failed:\n{out.stderr[-3000:]}")
    seconds, peak_kb = out.stdout.split()[-2:]
    return float(seconds), int(peak_kb) / 1024


def clean_copy() -> Path:
    """The repository as a fresh clone would have it (tracked files), plus node_modules."""
    target = Path(tempfile.mkdtemp(prefix="course-bench-")) / "book"
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                           text=True, check=True).stdout.split("\0")
    for name in filter(None, files):
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target / name)
    (target / "node_modules").symlink_to(ROOT / "node_modules")
    return target


def font_bytes(site: Path, pages: list[Path]) -> dict[Path, int]:
    """The bytes of font chunks each page makes Chromium download (as tests/test_browser.py)."""
    sys.path.insert(0, str(ROOT / "slides"))
    from build import launch_chromium, serve
    from playwright.sync_api import sync_playwright
    sizes = {}
    with serve(site) as base, sync_playwright() as playwright:
        browser = launch_chromium(playwright, system_fonts=True)
        for page in pages:
            tab = browser.new_page(viewport={"width": 1280, "height": 900})
            tab.add_init_script(KEEP_EVERY_RESOURCE_JS)
            tab.goto(base + page.relative_to(site).as_posix(), wait_until="load")
            sizes[page] = tab.evaluate(FONT_BYTES_JS)
            tab.close()
        browser.close()
    return sizes


def row(what, measured, unit, budget=None):
    if budget is None:  # a figure to know, not a budget
        return f"| {what} | {measured:.1f} {unit} | | |"
    verdict = "ok" if measured <= budget else "**over**"
    return f"| {what} | {measured:.1f} {unit} | ≤ {budget:g} {unit} | {verdict} |"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", action="store_true", help="also time the full test command")
    parser.add_argument("--notebooks", nargs="*", type=Path, metavar="NOTEBOOK",
                        help="time only these notebooks (all without a name), nothing else")
    args = parser.parse_args()

    rows = ["| what | measured | budget | |", "|---|---|---|---|"]
    threads = STUDENT_THREADS or "torch's default"
    for path in args.notebooks or sorted((ROOT / "chapters").glob("*/*.ipynb")):
        path = path.resolve()
        seconds, peak_mb = measure_notebook(path)
        one_thread, _ = measure_notebook(path, threads="1")
        name = f"{path.parent.name}/{path.name}"
        rows.append(row(f"notebook `{name}`: time alone ({threads} threads)", seconds, "s", 15))
        rows.append(row(f"notebook `{name}`: time with one thread (as in the build)", one_thread, "s"))
        rows.append(row(f"notebook `{name}`: peak memory", peak_mb, "MB", 1024))
        print(*rows[-3:], sep="\n", flush=True)
    if args.notebooks is not None:
        return

    book = clean_copy()
    try:
        seconds = timed(BUILD, book)
        rows.append(row("clean build of the whole book", seconds, "s", 120))
        print(rows[-1], flush=True)
        seconds = timed(BUILD, book)
        rows.append(row("rebuild with nothing changed", seconds, "s", 5))
        print(rows[-1], flush=True)
        seconds = timed([sys.executable, str(book / "_ext" / "build_pdf.py")], book)
        rows.append(row("the book as PDF, both languages (`make pdf`, site built)", seconds, "s", 120))
        print(rows[-1], flush=True)
        weights = ["| page | HTML (kB) | images (kB) | images | fonts (kB) | total (kB) |",
                   "|---|---|---|---|---|---|"]
        site = book / "_build" / "html"
        pages = sorted(site.glob("*/[0-9][0-9]_*.html"))
        fonts = font_bytes(site, pages)
        for page in pages:
            html, images, count = page_weight(page)
            total = html + images + fonts[page]
            weights.append(f"| {page.parent.name}/{page.stem} | {html / 1e3:.0f} | "
                           f"{images / 1e3:.0f} | {count} | {fonts[page] / 1e3:.0f} | "
                           f"{total / 1e3:.0f} |")
        if args.tests:  # as CI runs it: a fresh clone, nothing built yet
            shutil.rmtree(book / "_build")
            seconds = timed([sys.executable, "-m", "pytest", "-q"], book)
            rows.append(row("full test command (`make test`, nothing built)", seconds, "s", 300))
    finally:
        shutil.rmtree(book.parent)

    print(f"\nMachine: {os.cpu_count()} cores, Python {sys.version.split()[0]}\n")
    print("\n".join(rows))
    print("\nWhat a reader downloads for each chapter (budget: 1 MB):\n")
    print("\n".join(weights))


if __name__ == "__main__":
    main()
