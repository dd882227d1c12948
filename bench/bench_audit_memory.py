"""Peak memory of the audit against text length: short tweets vs long texts (emails).

Run from the project root: `.venv/bin/python -m bench.bench_audit_memory [--rows N]`. Builds
exports of the same N records (the real sample's records replicated with fresh ids) whose texts
are padded to 100, 1,000, 4,000 and 8,000 characters with words of the sample itself, then
measures each command's peak resident memory in its own process:

a. `beancan audit FILE --no-sentiment --json OUT`: batches bounded by bytes of text;
b. the same engine with the byte bound switched off (BATCH_BYTES and the row estimate out of the
   way: 131,072 rows a batch whatever their length), the previous behaviour, as the baseline;
c. a bare DuckDB scan of the same file (every column read, the text's length summed), the floor.

Writes the "audit-memory" section of bench/results.md.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from pathlib import Path

from bench._results import write_section
from bench.bench_audit import BEANCAN, OUT_DIR, PYTHON, measure
from bench.make_big import SAMPLE

LENGTHS = (100, 1_000, 4_000, 8_000)
DEFAULT_ROWS = 30_000
# The previous engine: a batch is BATCH_ROWS rows whatever their length.
ROWS_ONLY = (
    "import sys, json; from beancan.audit import readers; "
    "readers.BATCH_BYTES = 1 << 62; readers.batch_rows_for = lambda source: readers.BATCH_ROWS; "
    "from beancan.audit.engine import audit_file; "
    "r = audit_file(sys.argv[1], sentiment=False); json.dump(r.report, open(sys.argv[2], 'w'))"
)
DUCKDB_SCAN = (
    "import sys, duckdb; con = duckdb.connect(); "
    'print(con.execute("SELECT count(*), sum(length(text)) FROM read_csv(?, all_varchar=true, '
    'ignore_errors=true, header=true)", [sys.argv[1]]).fetchall())'
)


def build(rows: int, length: int) -> Path:
    """An export of `rows` valid records of the sample, texts padded to `length` characters."""
    path = OUT_DIR / f"twcs_text{length}_{rows}.csv"
    if path.exists():
        return path
    with SAMPLE.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        records = [r for r in reader if len(r) == len(header) and r[0].isdigit()]
    words = " ".join(r[4] for r in records[:400]).split()
    stride = 10 ** len(str(max(int(r[0]) for r in records)))
    tmp = path.with_suffix(".part")
    with tmp.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        written, k = 0, 0
        while written < rows:
            for r in records:
                if written == rows:
                    break
                ids = [",".join(str(int(x) + k * stride) for x in v.split(",")) if v else v
                       for v in (r[0], r[5], r[6])]  # fmt: skip
                text = r[4]
                i = (written * 7) % len(words)
                while len(text) < length:
                    text += " " + words[i % len(words)]
                    i += 1
                writer.writerow([ids[0], r[1], r[2], r[3], text[:length], ids[1], ids[2]])
                written += 1
            k += 1
    os.replace(tmp, path)
    return path


def main() -> None:
    """Build the files, measure the three commands on each, write the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    args = parser.parse_args()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()[0]
    table = []
    for length in LENGTHS:
        path = build(args.rows, length)
        out = OUT_DIR / "memory.json"
        cmds = {
            "bytes": [str(BEANCAN), "audit", str(path), "--no-sentiment", "--json", str(out)],
            "rows": [str(PYTHON), "-c", ROWS_ONLY, str(path), str(out)],
            "duckdb": [str(PYTHON), "-c", DUCKDB_SCAN, str(path)],
        }
        peaks = {}
        for key, cmd in cmds.items():
            seconds, maxrss, tree, code = measure(cmd, OUT_DIR / f"memory_{key}.log", 900)
            if code != 0:
                raise SystemExit(f"bench_audit_memory: {key} on {path.name} exited {code}")
            peaks[key] = (max(maxrss, tree), seconds)
            print(f"{length:>6} chars {key:>6}: {peaks[key][0]:,.0f} MB, {seconds:.1f} s",
                  file=sys.stderr)  # fmt: skip
        table.append((length, path.stat().st_size / 2**20, peaks))
    load_after = os.getloadavg()[0]
    short = table[0][2]["bytes"][0]
    lines = [
        "## Audit memory against text length",
        "",
        f"{args.rows:,} valid records each (the real sample's, with fresh ids), texts padded to "
        "the "
        "given length with the sample's own words. Peak RSS in MB of each command in its own "
        "process (the process tree, sampled every 0.1 s, or ru_maxrss if larger), wall seconds in "
        "brackets. (a) the audit as shipped: a batch is at most 131,072 rows and at most "
        "16 MiB of text; (b) the same engine with the byte bound off, 131,072 rows a batch "
        "whatever their length (the engine before); (c) a bare DuckDB scan of the file.",
        "",
        "| text length | file MB | (a) audit, batches by bytes | (b) batches by rows only "
        "| (c) bare DuckDB scan |",
        "|---:|---:|---:|---:|---:|",
    ]
    for length, size, peaks in table:
        cells = " | ".join(
            f"{peaks[k][0]:,.0f} ({peaks[k][1]:.1f} s)" for k in ("bytes", "rows", "duckdb")
        )
        lines.append(f"| {length:,} | {size:,.0f} | {cells} |")
    longest = table[-1][2]
    lines += [
        "",
        f"With bytes bounded, the longest texts peak at {longest['bytes'][0]:,.0f} MB against "
        f"{short:,.0f} MB for tweets ({longest['bytes'][0] / short:.2f}×); by rows only, "
        f"{longest['rows'][0]:,.0f} MB ({longest['rows'][0] / table[0][2]['rows'][0]:.2f}×).",
        "",
        f"1-minute load average {load_before:.2f} before and {load_after:.2f} after the run.",
    ]
    markdown = "\n".join(lines)
    print(markdown)
    write_section("audit-memory", markdown)


if __name__ == "__main__":
    main()
