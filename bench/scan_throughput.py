"""Time reading scans: rasterize an upload and read every page's mark, single process.

Builds a kit of two variants from the materials tests' bank (Русский язык 4 класс, 15 tasks;
no database), prints one copy per participant (default 30), turns every page into a scan
(``apps/objectivity/tests/synthetic.py``: skew within ±3°, every eighth page upside down, every
twentieth sideways, grey paper, noise 5–20 levels, dust, JPEG), adds blank and foreign pages, and
writes it all as one scanner PDF (or TIFF). Then it times what the scan job does per page:
``recognition.rasterize`` (the next page out of the file), ``recognition.read_page`` and
``recognition.png_bytes`` (the normalised page as stored), each page apart, in this process —
so the rates are per core.

    .venv/bin/python bench/scan_throughput.py                    # 30 participants, 150 dpi PDF
    .venv/bin/python bench/scan_throughput.py --dpi 200 --format tiff
    .venv/bin/python bench/scan_throughput.py --participants 10 --profile
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vpr_portal.settings.test")

TARGET_PER_CORE = 5.0  # pages per second per core at 150 dpi
MAX_SCORES = {"1": 2, "2": 1, "3": 2, "4": 3, "5": 2, "6": 1, "7": 1, "8": 2, "9.1": 1}


def _docs() -> list:
    """Two variants of the test bank's items (the n-th item of each column for variant n)."""
    from apps.materials import pdf

    bank = json.loads(
        (ROOT / "apps/materials/tests/data/bank_russian4.json").read_text(encoding="utf-8")
    )["items"]
    columns: dict[str, list[dict]] = {}
    for item in bank:
        columns.setdefault(item["column"], []).append(item)
    work = pdf.WorkInfo(2026, "Русский язык", 4, 45, False)
    docs = []
    for number, uid in ((1, "BENCH-00001"), (2, "BENCH-00002")):
        tasks = tuple(
            pdf.TaskSpec(label, MAX_SCORES.get(label, 2), items[number - 1]["text"], "—")
            for label, items in columns.items()
        )
        docs.append(pdf.VariantDoc(work, number, uid, tasks))
    return docs


def build_scans(participants: int, dpi: int, fmt: str, seed: int) -> tuple[bytes, int, int]:
    """The upload: every participant's copy scanned, a blank page per 10 participants and a
    foreign page per 15. Returns (file, page count, pages that carry a mark)."""
    from apps.materials import pdf
    from apps.objectivity.tests import synthetic

    rng = random.Random(seed)
    rendered = [synthetic.render_pages(pdf.variant_pdf(doc), dpi) for doc in _docs()]
    pages = []
    marked = 0
    for n in range(participants):
        for page in rendered[n % 2]:
            roll = rng.random()
            turn = 180 if roll < 0.125 else 90 if roll < 0.175 else 0
            pages.append(
                synthetic.distort(
                    page,
                    angle=turn + rng.uniform(-3, 3),
                    noise=rng.uniform(5, 20),
                    seed=rng.randrange(1 << 30),
                )
            )
            marked += 1
        if n % 10 == 9:
            pages.append(synthetic.blank_page(dpi=dpi, seed=n, noise=10))
        if n % 15 == 14:
            pages.append(synthetic.foreign_page("Сопроводительное письмо", dpi=dpi, seed=n))
    content = (
        synthetic.as_pdf(pages, dpi=dpi) if fmt == "pdf" else synthetic.as_tiff(pages, dpi=dpi)
    )
    return content, len(pages), marked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--dpi", type=int, default=150, help="the scanner's resolution")
    parser.add_argument("--format", choices=("pdf", "tiff"), default="pdf")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--profile", action="store_true", help="print the top cProfile entries")
    args = parser.parse_args()

    import django

    django.setup()
    from apps.objectivity.scans import recognition

    t0 = time.perf_counter()
    content, count, marked = build_scans(args.participants, args.dpi, args.format, args.seed)
    build = time.perf_counter() - t0
    print(
        f"upload:            {args.format.upper()}, {count} pages ({marked} printed pages of "
        f"{args.participants} participants, the rest blank or foreign), {args.dpi} dpi, "
        f"{len(content) / 1e6:.1f} MB (built in {build:.1f} s, not timed)"
    )

    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    raster_ms, read_ms, png_ms, cpu_ms = [], [], [], []
    found = blank = rotated = 0
    load = os.getloadavg()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    pages = recognition.rasterize(content, f"bench.{args.format}")
    while True:
        # CPU time of this thread: the figures do not move with other processes' load
        t0 = time.thread_time()
        try:
            image = next(pages)
        except StopIteration:
            break
        t1 = time.thread_time()
        reading = recognition.read_page(image)
        t2 = time.thread_time()
        stored = recognition.png_bytes(reading.image)
        t3 = time.thread_time()
        cpu_ms.append((t3 - t0) * 1000)
        raster_ms.append((t1 - t0) * 1000)
        read_ms.append((t2 - t1) * 1000)
        png_ms.append((t3 - t2) * 1000)
        found += reading.mark is not None
        blank += reading.blank
        rotated += reading.rotation != 0
        assert stored
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(15)

    def line(name: str, values: list[float]) -> str:
        p95 = statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]
        return f"{name:<19}median {statistics.median(values):6.1f} ms   p95 {p95:6.1f} ms CPU"

    n = len(read_ms)
    print(line("rasterize:", raster_ms))
    print(line("read_page:", read_ms))
    print(line("png_bytes:", png_ms))
    print(line("per page:", cpu_ms))
    print(
        f"pages read:        {n}; marks {found} of {marked} printed, blank {blank}, "
        f"turned {rotated}"
    )
    per_core = n / cpu
    print(
        f"throughput:        {per_core:.1f} pages/s per core (CPU {cpu:.1f} s), "
        f"{n / wall:.1f} pages/s wall ({wall:.1f} s), {1000 * cpu / n:.0f} ms CPU per page"
    )
    print(f"load average:      {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (1/5/15 min, before)")
    verdict = "meets" if per_core >= TARGET_PER_CORE else "misses"
    print(f"target: ≥ {TARGET_PER_CORE:.0f} pages/s per core — {verdict}")


if __name__ == "__main__":
    main()
