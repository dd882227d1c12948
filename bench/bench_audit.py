"""Benchmark the audit on a full-size export against a bare DuckDB query and a pandas notebook.

Run from the project root: `.venv/bin/python -m bench.bench_audit [--rows N] [--skip-sentiment]
[--repeat N]`. Builds (or reuses) bench/data/twcs_big.csv with `bench.make_big`, then times each
command in its own subprocess, measuring wall time and peak resident memory:

a. `beancan audit FILE --no-sentiment --json OUT`
b. `beancan audit FILE --json OUT` (unless --skip-sentiment)
c. a bare DuckDB query: median first response per brand (thread roots joined to brand replies)
d. the same table the way a pandas notebook computes it

Checks that (c) and (d) agree, prints the table and writes the "audit" section of bench/results.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench._results import write_section
from bench.make_big import DEFAULT_PATH, FULL_ROWS, ensure_big_file, meta_path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
OUT_DIR = BENCH / "data"
PYTHON = ROOT / ".venv" / "bin" / "python"
BEANCAN = ROOT / ".venv" / "bin" / "beancan"
TIME_FORMAT = "%a %b %d %H:%M:%S +0000 %Y"
SAMPLE_EVERY = 0.1  # seconds between samples of the process tree's memory
MB = 1024 * 1024

# Goals
AUDIT_VS_DUCKDB_MAX = 4.0
PANDAS_VS_AUDIT_MIN = 3.0
SENTIMENT_SECONDS_MAX = 60.0
PEAK_MB_MAX = 3 * 1024

AUDIT_FALLBACK = (
    "from beancan.audit.engine import audit_file; import json, sys; "
    "r = audit_file(sys.argv[1], sentiment={sentiment}); "
    "json.dump(r.report, open(sys.argv[2], 'w'))"
)

# (c): median first response per brand. A thread root is a customer tweet that answers nothing; a
# brand's first response to it is that brand's earliest reply to the root itself.
DUCKDB_SCRIPT = f"""
import json, sys
import duckdb
sql = '''
    WITH t AS (
        SELECT tweet_id, author_id, inbound, in_response_to_tweet_id AS parent,
               strptime(created_at, '{TIME_FORMAT}') AS ts
        FROM read_csv($path, all_varchar = true, ignore_errors = true, header = true/*PAD*/)
    ),
    roots AS (SELECT tweet_id, ts FROM t WHERE inbound = 'True' AND parent IS NULL),
    replies AS (SELECT author_id AS brand, parent, ts FROM t WHERE inbound = 'False'),
    firsts AS (
        SELECT r.brand, q.tweet_id, min(epoch(r.ts) - epoch(q.ts)) AS seconds
        FROM roots q JOIN replies r ON r.parent = q.tweet_id
        GROUP BY r.brand, q.tweet_id
    )
    SELECT brand, median(seconds), count(*) FROM firsts GROUP BY brand
'''
if sys.argv[3:] == ['pad']:  # the cross-check: pad short lines as pandas does
    sql = sql.replace('/*PAD*/', ', null_padding = true, parallel = false')
con = duckdb.connect()
con.execute('SET enable_progress_bar = false')
rows = con.execute(sql, {{'path': sys.argv[1]}}).fetchall()
json.dump({{b: [m, n] for b, m, n in rows}}, open(sys.argv[2], 'w'))
"""

# (d): the same table as a notebook would compute it with pandas.
PANDAS_SCRIPT = f"""
import json, sys
import pandas as pd
try:
    df = pd.read_csv(sys.argv[1])
except pd.errors.ParserError:
    df = pd.read_csv(sys.argv[1], on_bad_lines='skip')
notes = []
df['created_at'] = pd.to_datetime(df['created_at'], format='{TIME_FORMAT}', errors='coerce')
if not pd.api.types.is_numeric_dtype(df['tweet_id']):  # a broken line put text there
    notes.append('tweet_id read as text; coerced to numbers')
    df['tweet_id'] = pd.to_numeric(df['tweet_id'], errors='coerce')
inbound = df['inbound'].isin([True, 'True'])
outbound = df['inbound'].isin([False, 'False'])
roots = df.loc[inbound & df['in_response_to_tweet_id'].isna(), ['tweet_id', 'created_at']]
replies = df.loc[outbound, ['author_id', 'in_response_to_tweet_id', 'created_at']]
merged = roots.merge(replies, left_on='tweet_id', right_on='in_response_to_tweet_id',
                     suffixes=('_root', '_reply'))
merged['seconds'] = (merged['created_at_reply'] - merged['created_at_root']).dt.total_seconds()
firsts = merged.groupby(['author_id', 'tweet_id'])['seconds'].min()
table = firsts.groupby(level=0).agg(['median', 'count'])
json.dump({{'notes': notes, 'rows': len(df),
           'brands': {{b: [float(m), int(n)] for b, (m, n) in table.iterrows()}}}},
          open(sys.argv[2], 'w'))
"""


@dataclass
class Run:
    """One timed command: best wall time and peak memory over its repeats."""

    name: str
    seconds: float = float("inf")
    maxrss_mb: float = 0.0  # largest single process (getrusage of the waited child)
    tree_mb: float = 0.0  # sum over the process and its descendants, sampled
    failed: str | None = None
    outputs: list[str] = field(default_factory=list)

    @property
    def peak_mb(self) -> float:
        return max(self.maxrss_mb, self.tree_mb)


def _descendants(pid: int) -> list[int]:
    """pid and every process below it, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, ()))
    return found


def _tree_rss(pid: int) -> int:
    """Resident bytes of pid and its descendants now."""
    page = os.sysconf("SC_PAGE_SIZE")
    total = 0
    for p in _descendants(pid):
        try:
            with open(f"/proc/{p}/statm", "rb") as f:
                total += int(f.read().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
    return total


def measure(cmd: list[str], log: Path, timeout: float) -> tuple[float, float, float, int]:
    """Run cmd; its wall seconds, max RSS of one process (MB), sampled tree RSS (MB), exit code.

    os.wait4 returns the resource usage of exactly this child (and the descendants it waited
    for), so each command's ru_maxrss is isolated from the others'. ru_maxrss is per process,
    so the sum over concurrent processes (the sentiment pool) is sampled from /proc as well.
    """
    with log.open("w") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        tree_peak = 0
        stop = threading.Event()

        def sample() -> None:
            nonlocal tree_peak
            while not stop.wait(SAMPLE_EVERY):
                tree_peak = max(tree_peak, _tree_rss(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
            stop.set()
            sampler.join()
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return seconds, usage.ru_maxrss * 1024 / MB, tree_peak / MB, proc.returncode


def timed(commands: dict[str, list[str]], repeat: int, timeout: float) -> dict[str, Run]:
    """Best of `repeat` runs of each command (peak memory: the largest), in rounds: one run of
    each command, then the next round, so a machine whose speed drifts during the benchmark
    (a shared virtual machine) slows every command alike. Output in bench/data/KEY.log."""
    runs = {key: Run(key) for key in commands}
    for i in range(repeat):
        for key, cmd in commands.items():
            run = runs[key]
            if run.failed:
                continue
            log = OUT_DIR / f"{key}.log"
            print(f"[{key}] run {i + 1}/{repeat} …", file=sys.stderr, flush=True)
            seconds, maxrss, tree, code = measure(cmd, log, timeout)
            print(
                f"[{key}] {seconds:.1f} s, max RSS {maxrss:,.0f} MB, tree {tree:,.0f} MB, "
                f"exit {code}",
                file=sys.stderr,
                flush=True,
            )
            if code != 0:
                tail = log.read_text(errors="replace").strip().splitlines()[-5:]
                run.failed = f"exit {code}" + (" (killed after timeout)" if code == -9 else "")
                print(f"[{key}] failed; see {log}:\n  " + "\n  ".join(tail), file=sys.stderr)
                continue
            run.seconds = min(run.seconds, seconds)
            run.maxrss_mb = max(run.maxrss_mb, maxrss)
            run.tree_mb = max(run.tree_mb, tree)
    return runs


def audit_command(path: Path, out: Path, sentiment: bool) -> list[str]:
    """The CLI when it is installed and importable, else the engine through python -c."""
    if BEANCAN.exists() and (ROOT / "src" / "beancan" / "cli.py").exists():
        return [str(BEANCAN), "audit", str(path), *([] if sentiment else ["--no-sentiment"]),
                "--json", str(out)]  # fmt: skip
    code = AUDIT_FALLBACK.format(sentiment=sentiment)
    return [str(PYTHON), "-c", code, str(path), str(out)]


def _load(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


@dataclass
class Diff:
    """How two per-brand tables {brand: [median seconds, roots]} differ."""

    brands: int
    worst: float  # largest absolute difference of a brand's median, seconds
    worst_brand: str
    missing: list[str]  # brands in only one table
    counts: list[tuple[str, int, int]]  # brands whose numbers of answered roots differ

    @property
    def agree(self) -> bool:
        return not self.missing and self.worst < 1e-6

    def describe(self, a: str, b: str) -> str:
        text = f"{self.brands} brands, max |{a} − {b}| median {self.worst:.6g} s"
        if self.worst:
            text += f" ({self.worst_brand})"
        if self.counts:
            text += "; answered roots differ for " + ", ".join(
                f"{brand} ({n_a:,} vs {n_b:,})" for brand, n_a, n_b in self.counts[:5]
            )
        if self.missing:
            text += f"; brands in only one: {', '.join(self.missing[:5])}"
        return text


def compare(a: dict, b: dict) -> Diff:
    """Compare two per-brand first-response tables."""
    brands = sorted(set(a) | set(b))
    both = [x for x in brands if x in a and x in b]
    diffs = {x: abs(a[x][0] - b[x][0]) for x in both}
    worst_brand = max(diffs, key=diffs.__getitem__) if diffs else "-"
    return Diff(
        brands=len(brands),
        worst=diffs.get(worst_brand, 0.0),
        worst_brand=worst_brand,
        missing=[x for x in brands if x not in both],
        counts=[(x, a[x][1], b[x][1]) for x in both if a[x][1] != b[x][1]],
    )


def _fmt_s(run: Run | None) -> str:
    if run is None:
        return "skipped"
    return run.failed or f"{run.seconds:.1f}"


def _fmt_mb(run: Run | None) -> str:
    if run is None or run.failed:
        return "–"
    return f"{run.peak_mb:,.0f} ({run.maxrss_mb:,.0f})"


def _goal(value: float | None, ok: bool | None, text: str) -> str:
    if value is None or ok is None:
        return f"| {text} | – | not measured |"
    return f"| {text} | {value} | {'met' if ok else 'not met'} |"


def agreement(
    duck: dict | None, padded: dict | None, pandas: dict | None, broken: int
) -> tuple[str, bool]:
    """The (c)-vs-(d) check as a paragraph, and whether their medians agree.

    They must, unless reading differs: then DuckDB reading the way pandas does must match pandas
    exactly (medians and counts), which shows the difference is the input's damage alone.
    """
    if duck is None or pandas is None:
        return (
            "Median first response per brand, DuckDB vs pandas: not compared (a run failed).",
            False,
        )
    strict = compare(duck, pandas["brands"])
    text = f"Median first response per brand, DuckDB (c) vs pandas (d): {strict.describe('c', 'd')}"
    if strict.agree and not strict.counts:
        return text + " — agree.", True
    extra = sum(n_d - n_c for _, n_c, n_d in strict.counts)
    text += (
        f" — medians {'agree' if strict.agree else 'differ'}. pandas' C reader pads a line with "
        "too few fields with empty values instead of rejecting it, so the first line of each "
        f"broken record becomes an extra customer root ({extra:+,} answered roots in pandas; "
        f"the file has {broken:,} broken records)"
    )
    if pandas.get("notes"):
        text += "; " + "; ".join(pandas["notes"])
    if padded is None:
        return text + ". The padded DuckDB cross-check did not run.", strict.agree
    same = compare(padded, pandas["brands"])
    identical = same.agree and not same.counts
    return (
        text + ". DuckDB reading the same way (`null_padding = true`, untimed) vs pandas: "
        f"{same.describe('c padded', 'd')} — {'identical' if identical else 'DISAGREE'}.",
        identical,
    )


def main() -> None:
    """Build the file, time the four commands, check them and write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=FULL_ROWS, help="valid records in the file")
    parser.add_argument("--skip-sentiment", action="store_true", help="skip the sentiment audit")
    parser.add_argument("--repeat", type=int, default=1, help="runs per command (best is kept)")
    parser.add_argument(
        "--timeout", type=float, default=1800, help="seconds before a run is killed"
    )
    args = parser.parse_args()
    OUT_DIR.mkdir(parents=True, exist_ok=True)

    started = time.perf_counter()
    # Other sizes get their own file, so a quick run does not evict the full-size cache.
    path = ensure_big_file(
        args.rows, DEFAULT_PATH if args.rows == FULL_ROWS else OUT_DIR / f"twcs_{args.rows}.csv"
    )
    meta = json.loads(meta_path(path).read_text())
    print(
        f"{path.relative_to(ROOT)}: {meta['rows']:,} rows, {meta['broken_records']} broken records,"
        f" {meta['bytes'] / MB:,.0f} MB (ready in {time.perf_counter() - started:.1f} s;"
        f" generated in {meta.get('generation_seconds', '?')} s)",
        file=sys.stderr,
    )

    load_before = os.getloadavg()[0]
    out1, out2 = OUT_DIR / "audit_no_sentiment.json", OUT_DIR / "audit_sentiment.json"
    out_duck, out_pandas = OUT_DIR / "duckdb_first_response.json", OUT_DIR / "pandas.json"
    for stale in (out1, out2, out_duck, out_pandas):
        stale.unlink(missing_ok=True)
    commands = {"audit": audit_command(path, out1, False)}
    if not args.skip_sentiment:
        commands["sentiment"] = audit_command(path, out2, True)
    commands["duckdb"] = [str(PYTHON), "-c", DUCKDB_SCRIPT, str(path), str(out_duck)]
    commands["pandas"] = [str(PYTHON), "-c", PANDAS_SCRIPT, str(path), str(out_pandas)]
    runs: dict[str, Run | None] = {"sentiment": None}
    runs.update(timed(commands, args.repeat, args.timeout))
    load_after = os.getloadavg()[0]

    report = _load(out1) if not runs["audit"].failed else None
    duck = _load(out_duck) if not runs["duckdb"].failed else None
    pandas = _load(out_pandas) if not runs["pandas"].failed else None
    padded = None
    if duck is not None and pandas is not None and compare(duck, pandas["brands"]).counts:
        out_pad = OUT_DIR / "duckdb_padded.json"
        cmd = [str(PYTHON), "-c", DUCKDB_SCRIPT, str(path), str(out_pad), "pad"]
        with (OUT_DIR / "duckdb_padded.log").open("w") as log:
            done = subprocess.run(cmd, cwd=ROOT, stdout=log, stderr=log, timeout=args.timeout)
        if done.returncode == 0:
            padded = _load(out_pad)
    check, agree = agreement(duck, padded, pandas, meta["broken_records"])
    rejected = report["rows"]["rejected"] if report else None
    valid = report["rows"]["valid"] if report else None
    audit_median = report["overall"]["first_response_seconds"]["median"] if report else None

    def ok(run: Run | None) -> bool:
        return run is not None and not run.failed

    audit, sent, duck_run, pandas_run = (
        runs[k] for k in ("audit", "sentiment", "duckdb", "pandas")
    )
    vs_duck = audit.seconds / duck_run.seconds if ok(audit) and ok(duck_run) else None
    vs_pandas = pandas_run.seconds / audit.seconds if ok(audit) and ok(pandas_run) else None
    audit_peaks = [run.peak_mb for run in (audit, sent) if ok(run)]
    peak = max(audit_peaks) if audit_peaks else None
    peak_scope = "both audits" if ok(sent) else "audit without sentiment"

    labels = {
        "audit": "`beancan audit FILE --no-sentiment --json OUT`",
        "sentiment": "`beancan audit FILE --json OUT` (with sentiment)",
        "duckdb": "bare DuckDB query (first-response table, default threads)",
        "pandas": "pandas notebook (read_csv, to_datetime, merge, groupby)",
    }
    if not (BEANCAN.exists() and (ROOT / "src" / "beancan" / "cli.py").exists()):
        labels["audit"] = "`audit_file(FILE, sentiment=False)` (no CLI yet)"
        labels["sentiment"] = "`audit_file(FILE, sentiment=True)` (no CLI yet)"
    lines = [
        "## Audit (full-size export)",
        "",
        f"File: `{path.relative_to(ROOT)}`, {meta['bytes'] / MB:,.0f} MB, {meta['rows']:,} valid "
        f"records plus {meta['broken_records']} broken ones: the real sample "
        "(`../shared/data/twcs_sample.csv`) replicated with fresh ids and shifted days. "
        + (
            f"The audit reported {valid:,} valid and {rejected:,} rejected records."
            if report
            else "The audit's report is unavailable."
        ),
        "",
        f"Each command in its own process, best of {args.repeat}"
        + (" run in rounds (one run of each command a round)" if args.repeat > 1 else "")
        + "; wall time includes Python start and imports. Peak RSS: the process and its "
        "children summed (sampled every "
        f"{SAMPLE_EVERY} s), largest single process (ru_maxrss) in brackets; MB = 2^20 bytes.",
        "",
        "| command | wall s | peak RSS MB |",
        "|---|---:|---:|",
    ]
    for key, label in labels.items():
        lines.append(f"| {label} | {_fmt_s(runs[key])} | {_fmt_mb(runs[key])} |")
    lines += [
        "",
        "| goal | measured | |",
        "|---|---:|---|",
        _goal(
            f"{vs_duck:.2f}×" if vs_duck else None,
            vs_duck <= AUDIT_VS_DUCKDB_MAX if vs_duck else None,
            f"audit without sentiment ÷ DuckDB ≤ {AUDIT_VS_DUCKDB_MAX:g}×",
        ),
        _goal(
            f"{vs_pandas:.2f}×" if vs_pandas else None,
            vs_pandas >= PANDAS_VS_AUDIT_MIN if vs_pandas else None,
            f"pandas ÷ audit without sentiment ≥ {PANDAS_VS_AUDIT_MIN:g}×",
        ),
        _goal(
            f"{sent.seconds:.1f} s" if ok(sent) else None,
            sent.seconds < SENTIMENT_SECONDS_MAX if ok(sent) else None,
            f"audit with sentiment < {SENTIMENT_SECONDS_MAX:g} s",
        ),
        _goal(
            f"{peak:,.0f} MB" if peak else None,
            peak < PEAK_MB_MAX if peak else None,
            f"peak memory of the audit < 3 GB ({peak_scope})",
        ),
        "",
        check,
        "The audit's overall first_response_seconds.median is "
        + (f"{audit_median:,.1f} s" if audit_median is not None else "–")
        + " (over whole conversations, not per root tweet; shown, not compared).",
        "",
        f"1-minute load average {load_before:.2f} before and {load_after:.2f} after the run.",
    ]
    if duck and pandas and not compare(duck, pandas["brands"]).agree:
        print("per-brand medians (DuckDB, pandas), differing brands:", file=sys.stderr)
        for b in sorted(set(duck) | set(pandas["brands"])):
            d, p = duck.get(b), pandas["brands"].get(b)
            if d is None or p is None or abs(d[0] - p[0]) >= 1e-6 or d[1] != p[1]:
                print(f"  {b}: {d} vs {p}", file=sys.stderr)
    markdown = "\n".join(lines)
    print(markdown)
    write_section("audit", markdown)
    failed = [run.name for run in runs.values() if run is not None and run.failed]
    if failed or not agree:
        problems = [f"{name} failed" for name in failed] + ([] if agree else ["(c) ≠ (d)"])
        raise SystemExit(f"bench_audit: {', '.join(problems)}")


if __name__ == "__main__":
    main()
