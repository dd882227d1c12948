"""Triage a whole file: each row read, triaged in batches and written out with the triage added.

CSV in, CSV out (same delimiter, the input's columns in their order, then the triage columns);
JSON Lines in, JSON Lines out (each object with the triage keys added). Gzip input is detected by
its content; an output named `.gz` is compressed. Rows stream through in batches, so memory does
not grow with the file. The bad-input rules are the audit's: a record that cannot be read is
rejected, counted and reported with its physical line and the reason, and nothing valid is
dropped; a missing file, an unknown column or an unwritable output is one line for the user. The
output is written to a temporary file beside OUT and renamed at the end, so a failed run leaves no
half-written output.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from beancan.audit.readers import (
    FALSE_WORDS,
    MAX_LINE_BYTES,
    TRUE_WORDS,
    TWCS_COLUMNS,
    AuditInputError,
    Rejection,
    Source,
    _lookup,
    _read_csv_header,
    check_input_file,
)
from beancan.triage.pipeline import TextModel, TriageContext, triage_many
from beancan.triage.types import TriageResult

FORMATS = ("csv", "jsonl", "twcs")
TRIAGE_COLUMNS = (
    "sentiment",
    "sentiment_confidence",
    "intent",
    "urgency",
    "urgency_reasons",
    "language",
    "spam",
)
CONTEXT_FIELDS = ("waited_seconds", "customer_messages", "vip")
FIELDS = ("text", *CONTEXT_FIELDS)
BATCH_ROWS = 2_000
BATCH_TEXT_CHARS = 4_000_000  # a batch also ends at this much text, so long texts stay bounded
REASON_SEPARATOR = "; "
_SPLIT_WINDOW = 3  # lines within which short records are read as one record split by a line break


class TriageInputError(AuditInputError):
    """Input `beancan triage` cannot use; its message is one line for the user."""


@dataclass
class TriageSource:
    """A file to triage: where it is, its format, and which column holds which field."""

    path: Path
    format: str
    mapping: dict[str, str]
    gzip: bool = False
    delimiter: str = ","
    columns: tuple[str, ...] = ()


@dataclass
class Summary:
    """What a run did: rows written, records rejected, time taken and the model used."""

    rows: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    seconds: float = 0.0
    model: str = ""


def _parse_map(pairs: list[str], text_column: str | None) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs:
        name, sep, column = pair.partition("=")
        name = name.strip()
        if not sep or not column.strip():
            raise TriageInputError(f"--map takes FIELD=COLUMN, got {pair!r}")
        if name not in FIELDS:
            raise TriageInputError(f"--map: unknown field {name!r}; fields are {', '.join(FIELDS)}")
        mapping[name] = column.strip()
    if text_column is not None:
        if "text" in mapping and mapping["text"] != text_column:
            raise TriageInputError("--text-column and --map text=… name different columns")
        mapping["text"] = text_column
    mapping.setdefault("text", "text")
    return mapping


def open_triage_source(
    path: str | os.PathLike,
    *,
    format: str | None = None,
    text_column: str | None = None,
    map_pairs: list[str] = (),
) -> TriageSource:
    """Check a file can be triaged and work out its format and columns."""
    p, fmt, compressed = check_input_file(path, format, TriageInputError)
    source = TriageSource(p, fmt, _parse_map(list(map_pairs), text_column), compressed)
    if fmt == "jsonl":
        return source
    probe = Source(p, "csv", {}, gzip=compressed)
    header = [c.strip() for c in _read_csv_header(probe)]
    source.delimiter = probe.delimiter
    source.columns = tuple(header)
    if fmt == "csv" and source.columns == TWCS_COLUMNS:
        source.format = "twcs"
    for name, column in source.mapping.items():
        if column not in header:
            raise TriageInputError(
                f"unknown column {column!r} for field {name!r}; "
                f"the file's columns are: {', '.join(header)}"
            )
    return source


# ---------------------------------------------------------------- reading


@dataclass(slots=True)
class _Row:
    line: int
    record: list[str] | dict
    text: str
    context: TriageContext | None


def _open_binary(path: Path, compressed: bool):
    return gzip.open(path, "rb") if compressed else path.open("rb")


def _text_reader(source: TriageSource) -> io.TextIOWrapper:
    # surrogateescape keeps undecodable bytes visible, so such records are rejected, not mangled.
    raw = _open_binary(source.path, source.gzip)
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")


_UNDECODED = re.compile("[\udc80-\udcff]")  # bytes surrogateescape could not decode


def _has_bad_utf8(values) -> bool:
    return any(_UNDECODED.search(v) for v in values if isinstance(v, str))


def _context(source: TriageSource, get: Callable[[str], object]) -> TriageContext | None:
    """The row's conversation context from its mapped columns; ValueError names a bad value."""
    if not any(f in source.mapping for f in CONTEXT_FIELDS):
        return None
    values: dict[str, object] = {}
    for name in CONTEXT_FIELDS:
        if name not in source.mapping:
            continue
        raw = get(source.mapping[name])
        text = "" if raw is None else str(raw).strip()
        if not text:
            continue
        if name == "vip":
            if isinstance(raw, bool) or text.lower() in TRUE_WORDS + FALSE_WORDS:
                values[name] = raw if isinstance(raw, bool) else text.lower() in TRUE_WORDS
                continue
            raise ValueError(f"vip {text!r} is neither true nor false")
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not math.isfinite(number) or number < 0:
            raise ValueError(f"{name} {text!r} is not a number of zero or more")
        if name == "customer_messages":
            if number != int(number):
                raise ValueError(f"customer_messages {text!r} is not a whole number")
            values[name] = int(number)
        else:
            values[name] = number
    return TriageContext(**values)


_CSV_ERRORS = {"unexpected end of data": "has a quote that is never closed"}


def _csv_rows(source: TriageSource, rejections: list[Rejection]) -> Iterator[_Row]:
    """The valid rows of a CSV file; bad records go to `rejections` with their first line."""
    expected = len(source.columns)
    text_at = source.columns.index(source.mapping["text"])
    index = {c: source.columns.index(c) for c in source.mapping.values()}
    csv.field_size_limit(MAX_LINE_BYTES)
    split = None  # (first line, fields so far, fields on the first line) of a short record
    last_end = 0
    with _text_reader(source) as fh:
        reader = csv.reader(fh, delimiter=source.delimiter, strict=True)
        next(reader, None)
        start = reader.line_num + 1
        while True:
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                message = str(exc)
                reason = _CSV_ERRORS.get(message, message)
                if "expected after '\"'" in message:
                    reason = "has a quote inside a quoted field"
                elif "field larger than field limit" in message:
                    reason = f"has a field longer than {MAX_LINE_BYTES} characters"
                rejections.append(Rejection(start, reason))
                split = None
                start = reader.line_num + 1
                continue
            end = reader.line_num
            if not record:  # a blank line: nothing, or inside a split record
                start = end + 1
                continue
            if len(record) == expected:
                split = None
                if _has_bad_utf8(record):
                    rejections.append(Rejection(start, "is not valid UTF-8"))
                else:
                    try:
                        context = _context(source, lambda c, r=record: r[index[c]])
                    except ValueError as exc:
                        rejections.append(Rejection(start, str(exc)))
                    else:
                        yield _Row(start, record, record[text_at], context)
            elif len(record) > expected:
                split = None
                rejections.append(
                    Rejection(start, f"has {len(record)} fields, more than {expected}")
                )
            elif (
                split is not None
                and start <= last_end + _SPLIT_WINDOW
                and split[1] + len(record) - 1 <= expected
            ):
                # The rest of a record that an unquoted line break split: reported once.
                first, fields, first_fields = split
                rejections[-1] = Rejection(
                    first,
                    f"record split over lines {first}-{end} by an unquoted line break "
                    f"({first_fields} of {expected} fields on its first line)",
                )
                split = (first, fields + len(record) - 1, first_fields)
            else:
                rejections.append(Rejection(start, f"has {len(record)} of {expected} fields"))
                split = (start, len(record), len(record))
            last_end = end
            start = end + 1


def _jsonl_rows(
    source: TriageSource, rejections: list[Rejection], seen: set[str]
) -> Iterator[_Row]:
    """The valid objects of a JSON Lines file, with the fields any record had in `seen`."""
    text_key = source.mapping["text"]
    with _text_reader(source) as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            if _has_bad_utf8([line]):
                rejections.append(Rejection(number, "is not valid UTF-8"))
                continue
            try:
                obj = json.loads(line)
            except ValueError as exc:
                rejections.append(Rejection(number, f"not valid JSON ({exc.msg})"))
                continue
            except RecursionError:
                rejections.append(Rejection(number, "not valid JSON (nested too deeply)"))
                continue
            if not isinstance(obj, dict):
                rejections.append(Rejection(number, "not a JSON object"))
                continue
            for name, key in source.mapping.items():
                if name not in seen and _lookup(obj, key) is not None:
                    seen.add(name)
            try:
                context = _context(source, lambda k, o=obj: _lookup(o, k))
            except ValueError as exc:
                rejections.append(Rejection(number, str(exc)))
                continue
            value = _lookup(obj, text_key)
            text = value if isinstance(value, str) else "" if value is None else json.dumps(value)
            yield _Row(number, obj, text, context)


def _batches(rows: Iterator[_Row]) -> Iterator[list[_Row]]:
    batch: list[_Row] = []
    chars = 0
    for row in rows:
        batch.append(row)
        chars += len(row.text)
        if len(batch) >= BATCH_ROWS or chars >= BATCH_TEXT_CHARS:
            yield batch
            batch, chars = [], 0
    if batch:
        yield batch


# ---------------------------------------------------------------- writing


def triage_values(result: TriageResult) -> dict[str, object]:
    """The triage columns of one row, as JSON values."""
    p = result.prediction
    return {
        "sentiment": p.sentiment,
        "sentiment_confidence": round(p.sentiment_confidence, 3),
        "intent": p.intent,
        "urgency": result.urgency.score,
        "urgency_reasons": list(result.urgency.reasons),
        "language": result.language.code,
        "spam": p.spam,
    }


def _csv_cells(result: TriageResult) -> dict[str, str]:
    values = triage_values(result)
    values["urgency_reasons"] = REASON_SEPARATOR.join(values["urgency_reasons"])
    values["spam"] = "true" if values["spam"] else "false"
    values["sentiment_confidence"] = f"{values['sentiment_confidence']:.3f}"
    return {k: str(v) for k, v in values.items()}


def _open_output(out: Path) -> tuple[io.TextIOWrapper, Path]:
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    except OSError as exc:
        raise TriageInputError(f"{out}: cannot write there: {exc.strerror or exc}") from exc
    raw = os.fdopen(fd, "wb")
    if out.name.lower().endswith(".gz"):
        raw = gzip.GzipFile(fileobj=raw, mode="wb", filename="")  # type: ignore[assignment]
    return io.TextIOWrapper(raw, encoding="utf-8", newline=""), Path(tmp)


def check_output(out: Path, source: TriageSource) -> None:
    """Refuse an output that cannot be written before any work is done."""
    if not out.parent.exists():
        raise TriageInputError(f"{out}: folder {out.parent} does not exist")
    if not out.parent.is_dir():
        raise TriageInputError(f"{out}: {out.parent} is not a folder")
    if out.is_dir():
        raise TriageInputError(f"{out}: is a directory; give a file name")
    if not os.access(out.parent, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise TriageInputError(f"{out}: permission denied")
    if out.exists() and out.resolve() == source.path.resolve():
        raise TriageInputError(f"{out}: is the input file; write the triage to another file")


def triage_file(
    source: TriageSource,
    out: Path,
    *,
    model: TextModel,
    strict: bool = False,
    on_rows: Callable[[int], object] | None = None,
) -> Summary:
    """Triage every row of `source` into `out`; the summary says what was written and rejected."""
    started = time.perf_counter()
    check_output(out, source)
    summary = Summary(model=model.name)
    seen: set[str] = set()
    rows = (
        _jsonl_rows(source, summary.rejections, seen)
        if source.format == "jsonl"
        else _csv_rows(source, summary.rejections)
    )
    fh, tmp = _open_output(out)
    try:
        with fh:
            write = _jsonl_writer(fh) if source.format == "jsonl" else _csv_writer(fh, source)
            for batch in _batches(rows):
                if strict and summary.rejections:
                    break
                contexts = [row.context for row in batch]
                results = triage_many(
                    [row.text for row in batch],
                    model=model,
                    contexts=contexts if any(c is not None for c in contexts) else None,
                )
                for row, result in zip(batch, results, strict=True):
                    write(row, result)
                summary.rows += len(batch)
                if on_rows is not None:
                    on_rows(len(batch))
        if strict and summary.rejections:
            first = summary.rejections[0]
            raise TriageInputError(f"{source.path}, line {first.line}: {first.reason} (--strict)")
        _check_found(source, summary, seen)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    summary.seconds = time.perf_counter() - started
    return summary


def _check_found(source: TriageSource, summary: Summary, seen: set[str]) -> None:
    if not summary.rows:
        where = ""
        if summary.rejections:
            first = summary.rejections[0]
            where = f" ({len(summary.rejections)} rejected; line {first.line}: {first.reason})"
        raise TriageInputError(f"{source.path}: no valid record{where}")
    if source.format != "jsonl":
        return
    for name, key in source.mapping.items():
        if name not in seen:
            flag = "--text-column KEY" if name == "text" else f"--map {name}=KEY"
            raise TriageInputError(
                f"unknown column {key!r} for field {name!r}: no record has it (name it with {flag})"
            )


def _csv_writer(fh: io.TextIOWrapper, source: TriageSource) -> Callable[[_Row, TriageResult], None]:
    writer = csv.writer(fh, delimiter=source.delimiter, lineterminator="\n")
    columns = list(source.columns)
    # A column the triage writes that the file already has keeps its place and gets new values.
    positions = {}
    for name in TRIAGE_COLUMNS:
        if name in columns:
            positions[name] = columns.index(name)
        else:
            positions[name] = len(columns)
            columns.append(name)
    writer.writerow(columns)
    width = len(columns)

    def write(row: _Row, result: TriageResult) -> None:
        record = list(row.record) + [""] * (width - len(row.record))
        for name, value in _csv_cells(result).items():
            record[positions[name]] = value
        writer.writerow(record)

    return write


def _jsonl_writer(fh: io.TextIOWrapper) -> Callable[[_Row, TriageResult], None]:
    def write(row: _Row, result: TriageResult) -> None:
        obj = row.record
        assert isinstance(obj, dict)
        obj.update(triage_values(result))
        fh.write(json.dumps(obj, ensure_ascii=False) + "\n")

    return write


REJECTIONS_SHOWN = 20


def print_summary(summary: Summary, source: TriageSource, out: Path, *, quiet: bool, file) -> None:
    """What was written and every record rejected (up to REJECTIONS_SHOWN), for stderr."""
    if not quiet:
        rate = summary.rows / summary.seconds if summary.seconds else 0.0
        print(
            f"triaged {summary.rows:,} row{'s' if summary.rows != 1 else ''} of {source.path} "
            f"({source.format}) with {summary.model} in {summary.seconds:.1f} s "
            f"({rate:,.0f} rows/s)",
            file=file,
        )
    if summary.rejections:
        count = len(summary.rejections)
        print(f"{count:,} record{'s' if count != 1 else ''} rejected:", file=file)
        for rejection in summary.rejections[:REJECTIONS_SHOWN]:
            print(f"  line {rejection.line}: {rejection.reason}", file=file)
        if count > REJECTIONS_SHOWN:
            print(f"  … and {count - REJECTIONS_SHOWN:,} more", file=file)
    if not quiet:
        print(f"wrote {out}", file=file)


def estimate_rows(source: TriageSource) -> int | None:
    """About how many rows the file holds, from its first megabyte (None if compressed)."""
    from beancan.audit.readers import estimate_rows as audit_estimate

    fmt = "jsonl" if source.format == "jsonl" else "csv"
    return audit_estimate(Source(source.path, fmt, {}, gzip=source.gzip))
