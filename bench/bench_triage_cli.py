"""Benchmark `beancan triage`: speed of the whole pipeline per core, the worst single inputs, and
the command on files of growing size (memory must not grow with the file).

- Pipeline: `triage_many` (model + language + urgency) over the sample's 4,999 texts, CPU time of
  one process (best of 3), beside the text model alone and the language detection alone.
- Worst inputs: `triage_one` on each input the issue names (empty, only emoji, 10,000 emoji,
  100 kB of text, mixed scripts, control characters), the slowest of 5 calls.
- Command: `beancan triage FILE --out OUT` on the real sample and on replicas of it (bench/make_big)
  of 50,000 and 250,000 rows, each in its own process: wall time and peak RSS, beside a bare
  Python csv copy of the same file (read every row, write it back) in the same run.

Run from the project root: `.venv/bin/python -m bench.bench_triage_cli`. Writes the "triage-cli"
section of bench/results.md.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench._results import write_section
from bench.make_big import SAMPLE, ensure_big_file

REPEATS = 3
BIG_ROWS = (50_000, 250_000)
WORST = {
    "empty": "",
    "only emoji": "😡🔥😡",
    "10,000 emoji": "😀" * 10_000,
    "100 kB of text": ("the charger is smoking and nobody answers, I want a refund. " * 1_700)[
        :100_000
    ],
    "mixed scripts": "hola, mi pedido 注文 no ha llegado, Привет, where is it? مرحبا " * 20,
    "control characters": "\x00\x1b[31m\x07\u200b\ufeff\ud800" * 15_000,
}
BARE_COPY = (
    "import csv, sys; csv.field_size_limit(1 << 23)\n"
    "with open(sys.argv[1], newline='', encoding='utf-8', errors='surrogateescape') as i, "
    "open(sys.argv[2], 'w', newline='', encoding='utf-8', errors='surrogateescape') as o:\n"
    "    w = csv.writer(o, lineterminator='\\n')\n"
    "    for row in csv.reader(i): w.writerow(row)\n"
)


def _cpu_best(fn) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        started = time.process_time()
        fn()
        best = min(best, time.process_time() - started)
    return best


def pipeline_rows() -> list[str]:
    """Markdown rows: messages per second per core for the pipeline and its parts."""
    from beancan.triage.language import detect_many
    from beancan.triage.model import load_model
    from beancan.triage.pipeline import triage_many

    with SAMPLE.open(encoding="utf-8", errors="replace", newline="") as fh:
        texts = [row["text"] or "" for row in csv.DictReader(fh)]
    model = load_model()
    triage_many(texts[:100], model=model)  # warm up
    parts = {
        "text model alone (`predict_many`)": lambda: model.predict_many(texts),
        "language alone (`detect_many`)": lambda: detect_many(texts),
        "whole pipeline (`triage_many`: model + language + urgency)": lambda: triage_many(
            texts, model=model
        ),
    }
    rows = []
    for name, fn in parts.items():
        seconds = _cpu_best(fn)
        rows.append(f"| {name} | {len(texts):,} | {len(texts) / seconds:,.0f} |")
    return rows


def worst_rows() -> tuple[list[str], float]:
    """Markdown rows: the slowest of 5 calls of triage_one per worst input, and the maximum."""
    from beancan.triage.pipeline import triage_one

    triage_one("warm up")
    rows, worst = [], 0.0
    for name, text in WORST.items():
        slowest = 0.0
        for _ in range(5):
            started = time.perf_counter()
            result = triage_one(text)
            slowest = max(slowest, time.perf_counter() - started)
        worst = max(worst, slowest)
        rows.append(
            f"| {name} | {len(text):,} | {slowest * 1e3:.2f} | {result.prediction.sentiment} "
            f"| {result.language.code} | {result.urgency.score} |"
        )
    return rows, worst


def _measure(cmd: list[str], repeats: int) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of a command run by a tiny wrapper that reports its rusage."""
    wrapper = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter(); subprocess.run(sys.argv[1:], check=True, "
        "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "print(time.perf_counter() - t, "
        "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)\n"
    )
    best_wall, peak = float("inf"), 0.0
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", wrapper, *cmd], capture_output=True, text=True, check=True
        )
        wall, rss = (float(x) for x in out.stdout.split())
        best_wall, peak = min(best_wall, wall), max(peak, rss)
    return best_wall, peak


def command_rows() -> list[str]:
    """Markdown rows: the command and the bare copy on files of growing size."""
    files = [("real sample", SAMPLE, 4_999)]
    for rows in BIG_ROWS:
        path = Path(__file__).resolve().parent / "data" / f"twcs_{rows}.csv"
        files.append((f"{rows:,} rows (replicated sample)", ensure_big_file(rows, path), rows))
    out_rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.csv"
        for label, path, rows in files:
            repeats = REPEATS if rows < 10_000 else 1
            triage_wall, triage_rss = _measure(
                [sys.executable, "-m", "beancan", "triage", str(path), "--out", str(out)], repeats
            )
            bare_wall, bare_rss = _measure(
                [sys.executable, "-c", BARE_COPY, str(path), str(out)], repeats
            )
            size = path.stat().st_size / 2**20
            out_rows.append(
                f"| {label} | {size:,.1f} | {triage_wall:.1f} | {rows / triage_wall:,.0f} "
                f"| {triage_rss:,.0f} | {bare_wall:.2f} | {bare_rss:,.0f} |"
            )
    return out_rows


def main() -> None:
    """Run the three parts and write the section."""
    load_before = os.getloadavg()[0]
    pipeline = pipeline_rows()
    worst, worst_s = worst_rows()
    commands = command_rows()
    load_after = os.getloadavg()[0]
    goal_rate = float(pipeline[-1].split("|")[3].replace(",", ""))
    lines = [
        "## Triage: pipeline speed, worst inputs, and `beancan triage` on growing files",
        "",
        "Messages per second on one core (CPU time, best of 3) over the 4,999 texts of the real "
        "sample:",
        "",
        "| what | texts | messages/s per core |",
        "|---|---:|---:|",
        *pipeline,
        "",
        "The slowest of 5 calls of `triage_one` (model, language and urgency) per worst input:",
        "",
        "| input | characters | ms | sentiment | language | urgency |",
        "|---|---:|---:|---|---|---:|",
        *worst,
        "",
        "`beancan triage FILE --out OUT` in its own process (wall time includes Python start, "
        "imports and loading the models; best of 3 on the sample, 1 run on the big files), beside "
        "a bare Python csv copy of the same file (read every row, write it back). Peak RSS of the "
        "process, MB = 2^20 bytes.",
        "",
        "| file | MB | triage s | rows/s | triage peak RSS MB | bare copy s | bare peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *commands,
        "",
        "| goal | measured | |",
        "|---|---:|---|",
        f"| sentiment + intent + urgency ≥ 5,000 messages/s per core (here with language too) "
        f"| {goal_rate:,.0f} | {'met' if goal_rate >= 5000 else 'not met'} |",
        f"| worst input < 50 ms | {worst_s * 1e3:.1f} ms "
        f"| {'met' if worst_s < 0.05 else 'not met'} |",
        "",
        f"1-minute load average {load_before:.2f} before and {load_after:.2f} after.",
    ]
    write_section("triage-cli", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
