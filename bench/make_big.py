"""Build a full-size Twitter customer-support export by replicating the real sample.

`ensure_big_file()` writes bench/data/twcs_big.csv: the 4,999 valid records of
../shared/data/twcs_sample.csv repeated with fresh ids and shifted days until it holds exactly
`rows` valid records (2,811,774 by default, the size of the full dataset). Replica k adds
k * 10,000 to every id, response_tweet_id and in_response_to_tweet_id (the sample's ids are all
below 10,000, so reply links stay inside their replica and no id collides) and moves every
created_at k % 365 days back, in the dataset's own `Tue Oct 31 22:10:47 +0000 2017` format. The
sample's one broken record (an unquoted newline splits record 3399 over three physical lines) is
kept in every replica as the same raw lines with its ids and day shifted, so the big file carries
the same kind of damage.

The file is cached: a sidecar bench/data/twcs_big.meta.json records rows, broken records and bytes,
and a file that matches it is reused. Run `.venv/bin/python -m bench.make_big [--rows N] [--force]`
to build it by hand.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from beancan.audit.readers import TWCS_COLUMNS

BENCH = Path(__file__).resolve().parent
SAMPLE = Path(__file__).resolve().parents[2] / "shared/data/twcs_sample.csv"
DEFAULT_PATH = BENCH / "data" / "twcs_big.csv"
FULL_ROWS = 2_811_774
ID_STRIDE = 10_000  # replica k adds k * ID_STRIDE to every id
DAYS_CYCLE = 365  # replica k is shifted k % DAYS_CYCLE days back
COLUMNS = list(TWCS_COLUMNS)
TIME_FORMAT = "%a %b %d %H:%M:%S +0000 %Y"
DAY_FORMAT = "%a %b %d"  # the part of created_at a day shift changes, besides the year
MARK = "\x1e"  # stands for the replica's id prefix in a template; never occurs in the sample


def meta_path(path: Path) -> Path:
    """The sidecar that records what `path` holds."""
    return path.with_name(path.name.removesuffix(".csv") + ".meta.json")


@dataclass
class _Unit:
    """One record of the sample as line templates: a valid record, or the broken one's lines."""

    valid: bool
    # Each piece is (head, day index or -1, clock, tail); the line is
    # head + day + clock + year + tail, where day and year come from the shifted day table.
    plain: list[tuple[str, int, str, str]]  # ids as written in the sample (replica 0)
    marked: list[
        tuple[str, int, str, str]
    ]  # ids as MARK + 4 digits (replica k >= 1: k then digits)


def _csv_line(fields: list[str]) -> str:
    """Fields as the sample's writer wrote them (minimal quoting), without the line end."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(fields)
    return out.getvalue()[:-1]


def _ids(value: str, marked: bool) -> str:
    """An id field (one id, several comma-separated ids, or empty) in template form."""
    if not value:
        return value
    parts = value.split(",")
    for part in parts:
        if not part.isdigit() or int(part) >= ID_STRIDE:
            raise ValueError(f"unexpected id {part!r} in the sample")
    return ",".join(f"{MARK}{int(p):04d}" if marked else p for p in parts)


class _Days:
    """Distinct days of the sample, parsed once, and their shifted spellings per shift."""

    def __init__(self) -> None:
        self.days: list[date] = []
        self.index: dict[str, int] = {}
        self._checked: set[str] = set()
        self._shifted: dict[int, list[tuple[str, str]]] = {}

    def split(self, created_at: str) -> tuple[int, str]:
        """Day index and clock part (` 22:10:47 +0000 `) of one created_at; parses new days only."""
        if created_at not in self._checked:
            parsed = datetime.strptime(created_at, TIME_FORMAT)
            if parsed.strftime(TIME_FORMAT) != created_at:
                raise ValueError(f"created_at {created_at!r} is not in the dataset's format")
            self._checked.add(created_at)
            key = created_at[:10] + created_at[-4:]
            if key not in self.index:
                self.index[key] = len(self.days)
                self.days.append(parsed.date())
        return self.index[created_at[:10] + created_at[-4:]], created_at[10:-4]

    def shifted(self, days_back: int) -> list[tuple[str, str]]:
        """(day part, year) of every distinct day moved `days_back` days back."""
        table = self._shifted.get(days_back)
        if table is None:
            delta = timedelta(days=days_back)
            table = [((d - delta).strftime(DAY_FORMAT), str((d - delta).year)) for d in self.days]
            self._shifted[days_back] = table
        return table


def _piece(fields: list[str], days: _Days, marked: bool, id_cols: tuple[int, ...], date_col: int):
    """One physical line as (head, day index, clock, tail); day index -1 when it has no date."""
    fields = list(fields)
    for col in id_cols:
        fields[col] = _ids(fields[col], marked)
    if date_col < 0:
        return _csv_line(fields), -1, "", "\n"
    day, clock = days.split(fields[date_col])
    head = _csv_line(fields[:date_col]) + "," if date_col else ""
    tail = "," + _csv_line(fields[date_col + 1 :]) if date_col + 1 < len(fields) else ""
    return head, day, clock, tail + "\n"


def _load_sample(sample: Path) -> tuple[str, list[_Unit], _Days]:
    """The header line and the sample's records as templates."""
    with sample.open(encoding="utf-8", newline="") as f:
        raw = f.read()
    rows = list(csv.reader(io.StringIO(raw, newline="")))
    if rows[0] != COLUMNS:
        raise ValueError(f"{sample}: unexpected header {rows[0]}")
    days = _Days()
    units: list[_Unit] = []
    broken: list[list[str]] = []

    def close_broken() -> None:
        # The broken record's lines: the first holds the id and date (columns 0 and 3); the
        # lines after it end with the record's own response ids, so their pure-digit trailing
        # fields are ids too.
        if not broken:
            return
        plain, marked = [], []
        for n, fields in enumerate(broken):
            if n == 0:
                ids = (0,) if fields and fields[0].isdigit() else ()
                date_col = 3 if len(fields) > 3 else -1
            else:
                ids = tuple(
                    i for i in range(max(1, len(fields) - 2), len(fields)) if fields[i].isdigit()
                )
                date_col = -1
            plain.append(_piece(fields, days, False, ids, date_col))
            marked.append(_piece(fields, days, True, ids, date_col))
        units.append(_Unit(False, plain, marked))
        broken.clear()

    for fields in rows[1:]:
        if len(fields) == len(COLUMNS) and fields[0].isdigit():
            close_broken()
            ids = (0, 5, 6)
            units.append(
                _Unit(
                    True,
                    [_piece(fields, days, False, ids, 3)],
                    [_piece(fields, days, True, ids, 3)],
                )
            )
        else:
            broken.append(fields)
    close_broken()
    header = raw[: raw.index("\n") + 1]
    # Replica 0 must reproduce the sample byte for byte.
    if header + _replica(units, days, 0, len(units)) != raw:
        raise ValueError(f"{sample}: templates do not reproduce the sample")
    return header, units, days


def _replica(units: list[_Unit], days: _Days, k: int, n_units: int) -> str:
    """The text of replica k (its first n_units units)."""
    table = days.shifted(k % DAYS_CYCLE)
    lines = []
    for unit in units[:n_units]:
        for head, day, clock, tail in unit.marked if k else unit.plain:
            if day < 0:
                lines.append(head + tail)
            else:
                day_part, year = table[day]
                lines.append(f"{head}{day_part}{clock}{year}{tail}")
    text = "".join(lines)
    return text.replace(MARK, str(k)) if k else text


def _read_meta(path: Path) -> dict | None:
    try:
        return json.loads(meta_path(path).read_text())
    except (OSError, ValueError):
        return None


def ensure_big_file(
    rows: int = FULL_ROWS, path: Path | str = DEFAULT_PATH, *, force: bool = False
) -> Path:
    """The big file with exactly `rows` valid records, built unless a matching one is cached."""
    path = Path(path)
    meta = _read_meta(path)
    if (
        not force
        and meta
        and path.exists()
        and meta.get("rows") == rows
        and meta.get("bytes") == path.stat().st_size
    ):
        return path
    started = time.perf_counter()
    header, units, days = _load_sample(SAMPLE)
    per_replica = sum(u.valid for u in units)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    written = broken = 0
    with partial.open("w", encoding="utf-8", newline="") as out:
        out.write(header)
        k = 0
        while written < rows:
            want = rows - written
            if want >= per_replica:
                n_units = len(units)
            else:  # the last replica stops right after its `want`-th valid record
                n_units, seen = 0, 0
                while seen < want:
                    seen += units[n_units].valid
                    n_units += 1
            out.write(_replica(units, days, k, n_units))
            written += sum(u.valid for u in units[:n_units])
            broken += sum(not u.valid for u in units[:n_units])
            k += 1
    os.replace(partial, path)
    seconds = time.perf_counter() - started
    meta = {
        "rows": rows,
        "broken_records": broken,
        "bytes": path.stat().st_size,
        "replicas": k,
        "sample": str(SAMPLE),
        "generation_seconds": round(seconds, 2),
    }
    meta_path(path).write_text(json.dumps(meta, indent=2) + "\n")
    return path


def main() -> None:
    """Build (or reuse) the big file and say what it holds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=FULL_ROWS)
    parser.add_argument("--path", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--force", action="store_true", help="rebuild even if cached")
    args = parser.parse_args()
    started = time.perf_counter()
    path = ensure_big_file(args.rows, args.path, force=args.force)
    print(f"{path}: {json.dumps(_read_meta(path))} ({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
