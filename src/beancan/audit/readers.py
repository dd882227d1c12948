"""Readers: any export (Twitter customer support CSV, generic CSV, JSON Lines; gzip or not) into one
`staged` DuckDB table, with every rejected record counted and located by its physical line.

CSV goes through DuckDB's parallel reader; JSON Lines through a streaming Python parser in chunks.
Both end in the same SQL that normalises ids, parses times and flags bad values; the text traits are
then computed batch by batch with Polars, and only the traits are kept, never the text, so memory
does not grow with the text already read.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import re
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa

try:
    from duckdb.sqltypes import DOUBLE, VARCHAR
except ImportError:  # pragma: no cover - DuckDB before 1.4
    from duckdb.typing import DOUBLE, VARCHAR

from beancan.care import _textkernel
from beancan.care.replies import TRAIT_COLUMNS, string_buffers, trait_columns

FIELDS = ("id", "author", "inbound", "created_at", "text", "in_reply_to", "channel", "conversation")
REQUIRED = ("id", "author", "created_at", "text")
FORMATS = ("twcs", "csv", "jsonl")
TWCS_COLUMNS = (
    "tweet_id",
    "author_id",
    "inbound",
    "created_at",
    "text",
    "response_tweet_id",
    "in_response_to_tweet_id",
)
TWCS_MAP = {
    "id": "tweet_id",
    "author": "author_id",
    "inbound": "inbound",
    "created_at": "created_at",
    "text": "text",
    "in_reply_to": "in_response_to_tweet_id",
}
TWCS_TIME_FORMAT = "%a %b %d %H:%M:%S %z %Y"
TRUE_WORDS = ("true", "t", "1", "yes", "y", "inbound", "in", "customer")
FALSE_WORDS = ("false", "f", "0", "no", "n", "outbound", "out", "brand", "agent")
JSONL_CHUNK = 50_000
MAX_LINE_BYTES = 8 * 1024 * 1024


class AuditInputError(Exception):
    """Input the audit cannot use; its message is one line for the user."""


@dataclass(frozen=True, slots=True)
class Rejection:
    """A record left out, where it was, and why."""

    line: int
    reason: str


@dataclass
class Source:
    """An export to read: where it is, its format, and which column holds which field."""

    path: Path
    format: str
    mapping: dict[str, str]
    time_format: str | None = None
    gzip: bool = False
    delimiter: str = ","
    columns: tuple[str, ...] = ()
    brand_handles: tuple[str, ...] = ()

    @property
    def display(self) -> str:
        return str(self.path)


def _is_gzip(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def _open_text(source: Source) -> io.TextIOBase:
    raw = gzip.open(source.path, "rb") if source.gzip else source.path.open("rb")  # noqa: SIM115
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")


def _parse_map(pairs: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs:
        name, sep, column = pair.partition("=")
        name = name.strip()
        if not sep or not column.strip():
            raise AuditInputError(f"--map takes FIELD=COLUMN, got {pair!r}")
        if name not in FIELDS:
            raise AuditInputError(f"--map: unknown field {name!r}; fields are {', '.join(FIELDS)}")
        mapping[name] = column.strip()
    return mapping


def check_input_file(
    path: str | os.PathLike, format: str | None, error: type[Exception], kind: str = "a file"
) -> tuple[Path, str, bool]:
    """The path, format (given, or from the name) and gzip flag of a readable input file; raises
    `error` with one line for the user otherwise."""
    p = Path(path)
    if not p.exists():
        raise error(f"{p}: no such file")
    if p.is_dir():
        raise error(f"{p}: is a directory, not {kind}")
    if not os.access(p, os.R_OK):
        raise error(f"{p}: permission denied")
    if format is not None and format not in FORMATS:
        raise error(f"unknown format {format!r}; formats are {', '.join(FORMATS)}")
    compressed = _is_gzip(p)
    name = p.name.lower().removesuffix(".gz")
    fmt = format or ("jsonl" if name.endswith((".jsonl", ".ndjson", ".json")) else "csv")
    return p, fmt, compressed


def open_source(
    path: str | os.PathLike,
    *,
    format: str | None = None,
    map_pairs: list[str] = (),
    time_format: str | None = None,
    brand_handles: tuple[str, ...] = (),
) -> Source:
    """Check an export can be read and work out its format and column mapping."""
    p, fmt, compressed = check_input_file(path, format, AuditInputError, "an export file")
    overrides = _parse_map(list(map_pairs))
    source = Source(p, fmt, {}, time_format, compressed, brand_handles=tuple(brand_handles))
    if fmt == "jsonl":
        source.mapping = {f: f for f in FIELDS} | overrides
        return source
    header = _read_csv_header(source)
    if fmt == "csv" and tuple(c.strip() for c in header) == TWCS_COLUMNS and not overrides:
        fmt = source.format = "twcs"
    if fmt == "twcs":
        source.mapping = dict(TWCS_MAP) | overrides
        source.time_format = time_format or TWCS_TIME_FORMAT
    else:
        source.mapping = {f: f for f in FIELDS if f in header} | overrides
    source.columns = tuple(header)
    _check_mapping(source, set(header))
    return source


def _read_csv_header(source: Source) -> list[str]:
    try:
        with _open_text(source) as fh:
            first = fh.readline()
    except (OSError, EOFError) as exc:
        raise AuditInputError(f"{source.path}: cannot read: {exc}") from exc
    if not first.strip():
        raise AuditInputError(f"{source.path}: empty file, no header line")
    sample = first.strip("\r\n")  # utf-8-sig already dropped a byte-order mark
    counts = {d: sample.count(d) for d in (",", "\t", ";", "|")}
    source.delimiter = max(counts, key=counts.get) if any(counts.values()) else ","
    return next(csv.reader([sample], delimiter=source.delimiter))


def _check_mapping(source: Source, header: set[str]) -> None:
    for name, column in source.mapping.items():
        if column not in header:
            columns = ", ".join(source.columns)
            raise AuditInputError(
                f"unknown column {column!r} for field {name!r}; the file's columns are: {columns}"
            )
    missing = [f for f in REQUIRED if f not in source.mapping]
    if missing:
        raise AuditInputError(
            f"no column for {', '.join(missing)}; name it with --map FIELD=COLUMN "
            f"(the file's columns are: {', '.join(source.columns)})"
        )
    if "inbound" not in source.mapping and not source.brand_handles:
        raise AuditInputError(
            "no customer-or-brand column: map one with --map inbound=COLUMN, "
            "or name the brand's handles with --brand HANDLE"
        )


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _id_sql(column: str) -> str:
    # Ids exported through spreadsheets come back as 123.0.
    return f"nullif(regexp_replace(trim({column}), '^([0-9]+)\\.0+$', '\\1'), '')"


TWCS_EPOCH = "beancan_twcs_epoch"


def _twcs_epoch(texts: pa.Array | pa.ChunkedArray) -> pa.Array:
    """DuckDB's function TWCS_EPOCH: seconds since the epoch of the texts written exactly as the
    dataset writes dates, null for the others (and for nulls)."""
    n = len(texts)
    offsets, data = string_buffers(texts)
    out = np.empty(n, dtype=np.float64)
    valid = np.empty(n, dtype=np.bool_)
    _textkernel.twcs_times(offsets, data, out, valid.view(np.uint8), offsets.dtype == np.int64)
    if texts.null_count:  # a null's slot may hold any bytes
        valid &= texts.is_valid().to_numpy(zero_copy_only=False)
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(pa.float64(), n, [bitmap, pa.py_buffer(out)])


def _register_functions(con: duckdb.DuckDBPyConnection) -> None:
    """The reader's Python functions in the database of `con` (once: its cursors share them)."""
    known = con.execute(
        "SELECT count(*) FROM duckdb_functions() WHERE function_name = ?", [TWCS_EPOCH]
    ).fetchall()[0][0]
    if not known:
        con.create_function(
            TWCS_EPOCH, _twcs_epoch, [VARCHAR], DOUBLE, type="arrow", null_handling="special"
        )


def _key_sql(column: str) -> str:
    # A 64-bit join key: the number itself for canonical integer ids, else a negative hash.
    # Hash collisions are checked for (see engine) rather than assumed away.
    return (
        f"CASE WHEN {column} IS NULL THEN NULL "
        f"WHEN regexp_full_match({column}, '(0|[1-9][0-9]{{0,17}})') THEN CAST({column} AS BIGINT) "
        f"ELSE -CAST(hash({column}) >> 2 AS BIGINT) - 1 END"
    )


def _time_sql(column: str, time_format: str | None) -> str:
    value = f"trim({column})"
    if time_format == TWCS_TIME_FORMAT:
        # The dataset's own layout is parsed by a compiled kernel (0.7 of DuckDB's 2.6 CPU s on
        # 2.8 M rows went to strptime); every other text, by strptime as before.
        return (
            f"coalesce({TWCS_EPOCH}({column}), "
            f"epoch(try_strptime({value}, {_sql_str(time_format)})))"
        )
    if time_format:
        return f"epoch(try_strptime({value}, {_sql_str(time_format)}))"
    return (
        f"CASE WHEN regexp_full_match({value}, '[0-9]{{9,11}}(\\.[0-9]+)?') "
        f"THEN TRY_CAST({value} AS DOUBLE) "
        f"WHEN regexp_full_match({value}, '[0-9]{{12,14}}') "
        f"THEN TRY_CAST({value} AS DOUBLE) / 1000 "
        f"ELSE epoch(TRY_CAST({value} AS TIMESTAMPTZ)) END"
    )


def _customer_sql(source: Source) -> str:
    if "inbound" in source.mapping:
        words = lambda ws: ", ".join(_sql_str(w) for w in ws)  # noqa: E731
        # The dataset's own spelling first: no lower() or trim() for the usual True/False.
        return (
            "CASE r_inbound WHEN 'True' THEN true WHEN 'False' THEN false ELSE "
            f"CASE WHEN lower(trim(r_inbound)) IN ({words(TRUE_WORDS)}) THEN true "
            f"WHEN lower(trim(r_inbound)) IN ({words(FALSE_WORDS)}) THEN false END END"
        )
    handles = ", ".join(_sql_str(h.lstrip("@").lower()) for h in source.brand_handles)
    return f"lower(trim(r_author)) NOT IN ({handles})"


def _stage_select(source: Source, relation: str, line: str) -> str:
    """The one SQL that turns raw string columns r_* of `relation` into typed, checked rows."""
    expected = source.time_format or "ISO 8601"
    inbound_bad = (
        "WHEN is_customer IS NULL THEN "
        "'inbound ' || coalesce('\"' || r_inbound || '\"', 'is empty')"
        " || ' is neither True nor False'"
        if "inbound" in source.mapping
        else ""
    )
    # Ids already written as a plain integer (the value printed back is the text itself) skip the
    # normalising regexes: for them _id_sql is the identity and _key_sql the number.
    canonical = "{n} BETWEEN 0 AND 999999999999999999 AND CAST({n} AS VARCHAR) = {raw}"
    # Text of ids and raw values is kept only where it is needed: ids that are not plain
    # integers, and the raw fields of rejected rows (to find their line).
    return f"""
    SELECT * EXCLUDE (r_id, r_author, r_created_at),
        CASE WHEN bad IS NOT NULL THEN r_id END AS r_id,
        CASE WHEN bad IS NOT NULL THEN r_author END AS r_author,
        CASE WHEN bad IS NOT NULL THEN r_created_at END AS r_created_at
    FROM (
    SELECT
        {line} AS line,
        CASE WHEN idn < 0 THEN id END AS id_text, idn, pidn,
        trim(r_author) AS author, is_customer, ts,
        nullif(trim(r_channel), '') AS channel, nullif(trim(r_conversation), '') AS conversation,
        r_text,
        CASE
            WHEN id IS NULL THEN 'id is empty'
            WHEN nullif(trim(r_author), '') IS NULL THEN 'author is empty'
            WHEN ts IS NULL THEN 'created_at ' || coalesce('"' || r_created_at || '"', 'is empty')
                 || ' is not a date like ' || {_sql_str(expected)}
            {inbound_bad}
        END AS bad,
        r_id, r_author, r_created_at
    FROM (
        SELECT *,
            CASE WHEN id_plain THEN n_id ELSE {_key_sql("id")} END AS idn,
            CASE WHEN parent_plain THEN n_parent ELSE {_key_sql("parent")} END AS pidn
        FROM (
            SELECT *,
                CASE WHEN id_plain THEN r_id ELSE {_id_sql("r_id")} END AS id,
                CASE WHEN parent_plain THEN r_in_reply_to ELSE {_id_sql("r_in_reply_to")} END
                    AS parent
            FROM (
                SELECT *,
                    {canonical.format(n="n_id", raw="r_id")} AS id_plain,
                    {canonical.format(n="n_parent", raw="r_in_reply_to")} AS parent_plain
                FROM (
                    SELECT *,
                        TRY_CAST(r_id AS BIGINT) AS n_id,
                        TRY_CAST(r_in_reply_to AS BIGINT) AS n_parent,
                        {_customer_sql(source)} AS is_customer,
                        {_time_sql("r_created_at", source.time_format)} AS ts
                    FROM {relation}
                )
            )
        )
    ))"""


# A batch is at most BATCH_ROWS rows and, once read, is cut into pieces of at most BATCH_BYTES of
# text, so exports of long texts (emails) hold as little text at a time as short ones. The rows
# DuckDB reads at once are also sized from the file's average record, so a batch of long texts
# is not read whole first.
BATCH_ROWS = 131_072
BATCH_BYTES = 16 * 1024 * 1024
MIN_BATCH_ROWS = 256
# Rows of traits (no text) held before they are stored in DuckDB together.
STORE_ROWS = 1 << 20
# Plain Arrow strings, not string views: DuckDB reads them with less work.
_ARROW_COMPAT = pl.CompatLevel.oldest()
# What `staged` keeps of each row (`k`: its number in file order; `line`: JSON Lines only), and
# `staged_bad` of rejected ones.
STAGED_COLUMNS = ("k", "line", "id_text", "idn", "pidn", "author", "is_customer", "ts", "channel",
                  "conversation", "bad", "mention", "thanks", "named", "signed", "handoff",
                  "canned_hash")  # fmt: skip
BAD_COLUMNS = ("k", "line", "bad", "r_id", "r_author", "r_created_at")


def _traits_of(batch: pa.RecordBatch | pa.Table) -> pa.Table:
    """The trait columns of a batch's rows, as Arrow with plain strings. Only the text and the
    customer flag go through Polars; the other columns stay in DuckDB's Arrow as they came."""
    texts = pl.Series("t", batch.column("r_text"))
    customer = pl.Series("c", batch.column("is_customer"))
    return trait_columns(texts, customer).to_arrow(compat_level=_ARROW_COMPAT)


def _append_batches(
    con: duckdb.DuckDBPyConnection,
    select_sql: str,
    start: int,
    views: dict | None = None,
    after: Callable[[duckdb.DuckDBPyConnection], object] | None = None,
    on_rows: Callable[[int], object] | None = None,
    batch_rows: int = BATCH_ROWS,
) -> int:
    """Stream the rows of `select_sql` through the Polars traits into `staged` (and the raw fields
    of rejected rows into `staged_bad`), numbered from `start` (0 creates the tables); rows added.
    Two threads compute traits while DuckDB reads the next batch; batches keep file order.
    The read runs on its own cursor; `after` sees that cursor (its temp tables) before it closes."""
    reader_con = con.cursor()
    _register_functions(reader_con)
    rows = 0
    created = False
    try:
        for name, data in (views or {}).items():
            reader_con.register(name, data)
        reader = reader_con.sql(select_sql).to_arrow_reader(batch_rows)

        held: list[pa.Table] = []  # traits of batches not yet stored
        held_bad: list[pa.Table] = []

        in_flight = None  # the store running on store_pool, if any

        def store() -> None:
            # Into DuckDB's own memory, so the batches' working copies are freed as one; the
            # raw fields kept to locate rejected rows go to a small table of their own. Several
            # batches at once: DuckDB takes one Arrow table of a million rows four times faster
            # than eight Polars frames of 131,072. On a thread of its own, so reading goes on;
            # one store at a time, in order.
            nonlocal in_flight
            tables, bad = pa.concat_tables(held), pa.concat_tables(held_bad)
            held.clear()
            held_bad.clear()
            wait_stored()
            in_flight = store_pool.submit(insert, tables, bad)

        def insert(tables: pa.Table, bad: pa.Table) -> None:
            nonlocal created
            con.register("_batch", tables)
            con.register("_bad", bad)
            if created or start:
                con.execute("INSERT INTO staged SELECT * FROM _batch")
                con.execute("INSERT INTO staged_bad SELECT * FROM _bad")
            else:
                con.execute("CREATE OR REPLACE TABLE staged AS SELECT * FROM _batch")
                con.execute("CREATE OR REPLACE TABLE staged_bad AS SELECT * FROM _bad")
                created = True
            con.unregister("_batch")
            con.unregister("_bad")

        def wait_stored() -> None:
            nonlocal in_flight
            if in_flight is not None:
                in_flight.result()
                in_flight = None

        def keep(batch: pa.RecordBatch | pa.Table, traits: pa.Table) -> None:
            nonlocal rows
            first = start + rows
            added = {name: traits.column(name) for name in TRAIT_COLUMNS}
            added["k"] = _int64_array(np.arange(first, first + batch.num_rows, dtype=np.int64))

            def table(names: tuple[str, ...]) -> pa.Table:
                columns = [added[n] if n in added else batch.column(n) for n in names]
                return pa.Table.from_arrays(columns, names=list(names))

            held.append(table(STAGED_COLUMNS))
            rejected = table(BAD_COLUMNS)
            held_bad.append(rejected.filter(rejected.column("bad").is_valid()))
            if sum(t.num_rows for t in held) >= STORE_ROWS:
                store()
            rows += batch.num_rows
            if on_rows is not None:
                on_rows(batch.num_rows)

        with ThreadPoolExecutor(max_workers=2) as pool, ThreadPoolExecutor(1) as store_pool:
            pending: deque = deque()
            for piece in (p for batch in reader for p in text_pieces(batch)):
                pending.append((piece, pool.submit(_traits_of, piece)))
                while len(pending) > 2:
                    piece, traits = pending.popleft()
                    keep(piece, traits.result())
            while pending:
                piece, traits = pending.popleft()
                keep(piece, traits.result())
            if not rows and not start:  # no row at all: still the columns
                empty = reader.schema.empty_table()
                keep(empty, _traits_of(empty))
            if held:
                store()
            wait_stored()
        if after is not None:
            after(reader_con)
    finally:
        reader_con.close()
    return rows


def text_pieces(batch: pa.RecordBatch, limit: int = BATCH_BYTES) -> list[pa.RecordBatch]:
    """A batch cut into consecutive pieces of at most `limit` bytes of r_text each (a piece of
    one row when that row alone is longer); zero-copy slices."""
    ends = _text_ends(batch.column("r_text"))
    if not len(ends) or ends[-1] <= limit:
        return [batch]
    pieces, start, used = [], 0, 0
    while start < len(ends):
        # The first row past the limit ends this piece (at least one row per piece).
        stop = max(int(np.searchsorted(ends, used + limit, side="right")), start + 1)
        pieces.append(batch.slice(start, stop - start))
        used = int(ends[stop - 1])
        start = stop
    return pieces


def _int64_array(values: np.ndarray) -> pa.Array:
    """An Arrow view of int64 numpy values (pa.array would import pandas to check its input)."""
    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(values)])


def _text_ends(texts: pa.Array) -> np.ndarray:
    """Where each row's text ends, in bytes from the first, read off the string offsets (a null
    takes no bytes there)."""
    if len(texts) == 0:
        return np.zeros(0, dtype=np.int64)
    width = np.int64 if pa.types.is_large_string(texts.type) else np.int32
    offsets = np.frombuffer(texts.buffers()[1], dtype=width)
    offsets = offsets[texts.offset : texts.offset + len(texts) + 1]
    return (offsets[1:] - offsets[0]).astype(np.int64)


def batch_rows_for(source: Source) -> int:
    """Rows DuckDB reads at a time: BATCH_ROWS, fewer when the file's records are long."""
    rows = estimate_rows(source)
    if not rows:
        return BATCH_ROWS
    per_row = max(1, source.path.stat().st_size // rows)
    return int(min(BATCH_ROWS, max(MIN_BATCH_ROWS, BATCH_BYTES // per_row)))


def _raw_projection(source: Source) -> str:
    cols = []
    for f in FIELDS:
        column = source.mapping.get(f)
        cols.append(
            f"{_quote_ident(column)} AS r_{f}" if column else f"CAST(NULL AS VARCHAR) AS r_{f}"
        )
    return ", ".join(cols)


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def csv_relation(source: Source, columns: str | None = None) -> str:
    """DuckDB's CSV scan of the source, every column as text, bad records to the rejects table."""
    col_types = "{" + ", ".join(f"{_sql_str(c)}: 'VARCHAR'" for c in source.columns) + "}"
    return (
        f"read_csv({_sql_str(str(source.path))}, columns={col_types}, header=true, "
        f"auto_detect=false, delim={_sql_str(source.delimiter)}, quote='\"', escape='\"', "
        f"compression={_sql_str('gzip' if source.gzip else 'none')}, "
        f"max_line_size={MAX_LINE_BYTES}, store_rejects=true, strict_mode=true)"
    )


def stage(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    *,
    on_rows: Callable[[int], object] | None = None,
) -> list[Rejection]:
    """Read the source into the `staged` table (and `staged_bad`); returns the rejections found
    while reading (bad values are flagged in the table and located later by `locate_rows`).
    `on_rows(n)` is told as each batch of n rows is stored."""
    if source.format == "jsonl":
        return _stage_jsonl(con, source, on_rows)
    relation = f"(SELECT {_raw_projection(source)} FROM {csv_relation(source)})"
    structural: list[Rejection] = []
    _append_batches(
        con,
        _stage_select(source, relation, "NULL::BIGINT"),
        0,
        after=lambda reader: structural.extend(_structural_rejections(reader, source)),
        on_rows=on_rows,
        batch_rows=batch_rows_for(source),
    )
    return structural


def estimate_rows(source: Source, sample_bytes: int = 1 << 20) -> int | None:
    """About how many records the source holds, from its first megabyte (None if compressed)."""
    if source.gzip:
        return None
    size = source.path.stat().st_size
    with source.path.open("rb") as fh:
        head = fh.read(sample_bytes)
    lines = head.count(b"\n")
    if not lines or not head:
        return None
    return max(1, round(lines * size / len(head)) - (0 if source.format == "jsonl" else 1))


# ---------------------------------------------------------------- CSV: rejected records


_ERROR_TEXT = {
    "INVALID UNICODE": "is not valid UTF-8",
    "INVALID ENCODING": "is not valid UTF-8",
    "UNQUOTED VALUE": "has a quote inside an unquoted field",
    "UNTERMINATED QUOTES": "has a quote that is never closed",
    "LINE SIZE OVER MAXIMUM": f"is longer than {MAX_LINE_BYTES} bytes",
}


def _structural_rejections(con: duckdb.DuckDBPyConnection, source: Source) -> list[Rejection]:
    rows = con.execute(
        """SELECT line_byte_position, error_type, min(TRY_CAST(
                  regexp_extract(error_message, 'Found: ([0-9]+)', 1) AS INTEGER)) AS found,
                  any_value(csv_line) AS csv_line, any_value(error_message) AS message
           FROM reject_errors GROUP BY line_byte_position, error_type
           ORDER BY line_byte_position"""
    ).fetchall()
    if not rows:
        return []
    lines = _lines_at(source, sorted({r[0] for r in rows}))
    expected = len(source.columns)
    out: list[Rejection] = []
    previous = None  # (start line, end line, fields) of a short record that may continue
    for pos, kind, found, csv_line, message in rows:
        start = lines[pos]
        end = start + (csv_line or "").strip("\r\n").count("\n")
        if kind == "MISSING COLUMNS" and found is not None:
            if previous and start <= previous[1] + 3 and previous[2] + found - 1 <= expected:
                # The rest of a record an unquoted line break split: report the record once.
                first = previous[0]
                out[-1] = Rejection(
                    first,
                    f"record split over lines {first}-{end} by an unquoted line break "
                    f"({previous[2]} of {expected} fields on its first line)",
                )
                previous = (first, end, previous[2] + found - 1)
                continue
            out.append(Rejection(start, f"has {found} of {expected} fields"))
            previous = (start, end, found)
            continue
        previous = None
        if kind == "TOO MANY COLUMNS":
            out.append(Rejection(start, f"has more than {expected} fields"))
        else:
            out.append(Rejection(start, _ERROR_TEXT.get(kind, (message or kind).splitlines()[0])))
    return out


def _lines_at(source: Source, positions: list[int]) -> dict[int, int]:
    """Physical line number (1-based) at each byte position of the (decompressed) file."""
    out: dict[int, int] = {}
    wanted = iter(positions)
    target = next(wanted, None)
    offset, line = 0, 1
    opener = gzip.open if source.gzip else open
    with opener(source.path, "rb") as fh:
        while target is not None:
            chunk = fh.read(1 << 22)
            if not chunk:
                break
            # numpy counts line feeds about three times faster than bytes.count.
            feeds = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == 10)
            while target is not None and target <= offset + len(chunk):
                out[target] = line + int(np.searchsorted(feeds, target - offset))
                target = next(wanted, None)
            line += len(feeds)
            offset += len(chunk)
    while target is not None:
        out[target] = line
        target = next(wanted, None)
    return out


def locate_rows(source: Source, wanted: list[tuple], *, by: str = "raw") -> list[int]:
    """Physical start lines of records, the n-th request for the same key meaning its n-th
    occurrence; 0 when not found. Keys are the raw (id, author, created_at) values (by="raw") or
    the normalised id alone (by="id")."""
    if source.format == "jsonl":
        raise ValueError("JSON Lines rows carry their line numbers")
    fields = ("id", "author", "created_at") if by == "raw" else ("id",)
    index = [source.columns.index(source.mapping[f]) for f in fields]
    pending: dict[tuple, list[int]] = {}
    for position, key in enumerate(wanted):
        pending.setdefault(tuple(v or "" for v in key), []).append(position)
    seen: dict[tuple, int] = {}
    found = [0] * len(wanted)
    with _open_text(source) as fh:
        reader = csv.reader(fh, delimiter=source.delimiter)
        next(reader, None)
        start = reader.line_num + 1
        for record in reader:
            if len(record) == len(source.columns):
                key = tuple(record[i] for i in index)
                if by == "id":
                    key = (_normal_id(key[0]) or "",)
                if key in pending:
                    n = seen.get(key, 0)
                    seen[key] = n + 1
                    if n < len(pending[key]):
                        found[pending[key][n]] = start
            start = reader.line_num + 1
    return found


# ---------------------------------------------------------------- JSON Lines


def _lookup(obj: dict, dotted: str):
    if dotted in obj:
        return obj[dotted]
    value = obj
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _as_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


def _jsonl_chunks(
    source: Source, rejections: list[Rejection], seen_keys: set[str]
) -> Iterator[dict[str, np.ndarray]]:
    keys = [(f, source.mapping.get(f)) for f in FIELDS]
    columns: dict[str, list] = {f"r_{f}": [] for f in FIELDS} | {"line": []}
    held = 0  # characters of the lines in this chunk
    with _open_text(source) as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as exc:
                rejections.append(Rejection(number, f"not valid JSON ({exc.msg})"))
                continue
            if not isinstance(obj, dict):
                rejections.append(Rejection(number, "not a JSON object"))
                continue
            for f, key in keys:
                value = _lookup(obj, key) if key else None
                if value is not None:
                    seen_keys.add(f)
                columns[f"r_{f}"].append(_as_text(value))
            columns["line"].append(number)
            held += len(line)
            if len(columns["line"]) >= JSONL_CHUNK or held >= BATCH_BYTES:
                yield _arrays(columns)
                columns = {name: [] for name in columns}
                held = 0
    if columns["line"]:
        yield _arrays(columns)


def _arrays(columns: dict[str, list]) -> dict[str, np.ndarray]:
    out = {name: np.array(values, dtype=object) for name, values in columns.items()}
    out["line"] = np.array(columns["line"], dtype=np.int64)
    return out


def _stage_jsonl(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    on_rows: Callable[[int], object] | None = None,
) -> list[Rejection]:
    rejections: list[Rejection] = []
    seen_keys: set[str] = set()
    rows = 0
    select = _stage_select(source, "jsonl_chunk", "line")
    for chunk in _jsonl_chunks(source, rejections, seen_keys):
        rows += _append_batches(con, select, rows, views={"jsonl_chunk": chunk}, on_rows=on_rows)
    if not rows:
        empty = {f"r_{f}": np.array([], dtype=object) for f in FIELDS}
        empty["line"] = np.array([], dtype=np.int64)
        _append_batches(con, select, 0, views={"jsonl_chunk": empty})
    if rows:
        absent = [f for f in REQUIRED if f not in seen_keys]
        if "inbound" not in seen_keys and not source.brand_handles:
            absent.append("inbound")
        if absent:
            name = absent[0]
            raise AuditInputError(
                f"unknown column {source.mapping.get(name, name)!r} for field {name!r}: "
                "no record has it (map it with --map FIELD=KEY)"
            )
    return rejections


def iter_texts(source: Source, wanted_ids: set[str]) -> Iterator[tuple[str, str]]:
    """Stream (id, text) for the wanted message ids, first occurrence only (a second read)."""
    for mid, text, _parent in iter_records(source, wanted_ids):
        yield mid, text


def iter_records(source: Source, wanted_ids: set[str]) -> Iterator[tuple[str, str, str | None]]:
    """Stream (id, text, in-reply-to id) for the wanted message ids, first occurrence only."""
    done: set[str] = set()
    parent_key = source.mapping.get("in_reply_to")
    if source.format == "jsonl":
        id_key, text_key = source.mapping["id"], source.mapping["text"]
        with _open_text(source) as fh:
            for line in fh:
                try:
                    obj = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(obj, dict):
                    continue
                raw = _as_text(_lookup(obj, id_key))
                mid = _normal_id(raw)
                if mid in wanted_ids and mid not in done:
                    done.add(mid)
                    parent = _as_text(_lookup(obj, parent_key)) if parent_key else None
                    yield mid, _as_text(_lookup(obj, text_key)) or "", _normal_id(parent)
        return
    con = duckdb.connect()
    try:
        con.register("wanted_ids", {"id": np.array(sorted(wanted_ids), dtype=object)})
        id_col = _quote_ident(source.mapping["id"])
        text_col = _quote_ident(source.mapping["text"])
        parent_sql = _id_sql(_quote_ident(parent_key)) if parent_key else "NULL::VARCHAR"
        cursor = con.execute(
            f"SELECT id, text, parent FROM (SELECT {_id_sql(id_col)} AS id, {text_col} AS text, "
            f"{parent_sql} AS parent "
            f"FROM {csv_relation(source).replace('store_rejects=true', 'ignore_errors=true')}) "
            "WHERE id IN (SELECT id FROM wanted_ids)"
        )
        while batch := cursor.fetchmany(10_000):
            for mid, text, parent in batch:
                if mid not in done:
                    done.add(mid)
                    yield mid, text or "", parent
    finally:
        con.close()


_ID_FLOAT = re.compile(r"^([0-9]+)\.0+$")


def _normal_id(raw: str | None) -> str | None:
    if raw is None:
        return None
    value = raw.strip()
    return _ID_FLOAT.sub(r"\1", value) or None
