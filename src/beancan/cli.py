"""The `beancan` command."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

from beancan import __version__

EXIT_BAD_INPUT = 2
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|hr|d)?\s*$", re.IGNORECASE)
_UNIT_SECONDS = {None: 1, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600, "d": 86400}


class UsageError(Exception):
    """A command line the user should correct; its message is one line."""


def parse_duration(text: str) -> float:
    """Seconds in '90s', '60m', '1.5h', '2d' or a bare number of seconds."""
    match = _DURATION.match(text)
    if not match or float(match.group(1)) <= 0:
        raise UsageError(f"--target {text!r}: give a positive duration like 60m, 1h, 90s or 3600")
    unit = match.group(2).lower() if match.group(2) else None
    return float(match.group(1)) * _UNIT_SECONDS[unit]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, like every other bad input
        command = self.prog.partition(" ")[2]
        raise UsageError(f"{command}: {message}" if command else message)


def build_parser() -> argparse.ArgumentParser:
    """The command line: `beancan audit`, `beancan triage`, `beancan demo` and the service ones."""
    parser = _Parser(prog="beancan", description="beancan: social customer care, measured.")
    parser.add_argument("--version", action="version", version=f"beancan {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    audit = commands.add_parser(
        "audit",
        help="measure a team's social care from an export",
        description="Measure response times, coverage, repeat contacts, canned vs personal "
        "replies and sentiment, per brand, from an exported history.",
    )
    audit.add_argument("file", help="the export: Twitter customer support CSV, CSV or JSON Lines")
    audit.add_argument("--format", choices=("twcs", "csv", "jsonl"), help="default: from the file")
    audit.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="which column holds a field: id, author, inbound, created_at, text, in_reply_to, "
        "channel, conversation (repeatable)",
    )
    audit.add_argument(
        "--brand",
        action="append",
        default=[],
        metavar="HANDLE",
        help="a brand handle (repeatable): adds to the authors of brand messages; without an "
        "inbound column, messages by these handles are the brand's",
    )
    audit.add_argument("--time-format", help="strptime format of created_at (default: ISO 8601)")
    audit.add_argument("--target", default="60m", help="first-response target (default 60m)")
    audit.add_argument("--json", type=Path, metavar="OUT", help="write the metrics as JSON")
    audit.add_argument("--html", type=Path, metavar="OUT", help="write a self-contained report")
    audit.add_argument("--no-sentiment", action="store_true", help="skip sentiment scoring")
    audit.add_argument(
        "--sentiment-model", default="default", help="default, general, lexicon or vader"
    )
    audit.add_argument("--strict", action="store_true", help="stop at the first bad record")
    audit.add_argument("--quiet", action="store_true", help="no summary table or progress bar")
    audit.set_defaults(run=_run_audit)

    triage = commands.add_parser(
        "triage",
        help="add sentiment, intent, urgency and language to every row of a file",
        description="Triage every row of a CSV or JSON Lines file and write it out with "
        "sentiment, sentiment_confidence, intent, urgency, urgency_reasons, language and spam "
        "added (CSV in, CSV out; JSON Lines in, JSON Lines out). The input's columns keep "
        "their order; the new ones come after. Rows that cannot be read are reported with "
        "their line on stderr; every other row is written.",
    )
    triage.add_argument(
        "file", help="the file: CSV (Twitter customer support or any) or JSON Lines"
    )
    triage.add_argument(
        "--format", choices=("csv", "jsonl", "twcs"), help="default: from the file name"
    )
    triage.add_argument(
        "--text-column",
        metavar="COLUMN",
        help="the column (or JSON key, dotted for nested) holding the text (default: text)",
    )
    triage.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="which column holds a field: text, and for urgency waited_seconds (how long the "
        "customer has waited), customer_messages (how many times they wrote before a reply) "
        "and vip (true/false) (repeatable)",
    )
    triage.add_argument(
        "--out", type=Path, required=True, help="where to write the rows (.gz: compressed)"
    )
    triage.add_argument(
        "--model",
        default="default",
        help="the text model: default (care messages) or general (other posts)",
    )
    triage.add_argument("--strict", action="store_true", help="stop at the first bad record")
    triage.add_argument(
        "--quiet", action="store_true", help="no summary or progress bar (rejections still shown)"
    )
    triage.set_defaults(run=_run_triage)

    demo = commands.add_parser(
        "demo", help="write a realistic demo export (fictional brands) to try the audit on"
    )
    demo.add_argument("--out", type=Path, default=Path("beancan-demo.csv"), help="output path")
    demo.add_argument("--conversations", type=int, default=1500)
    demo.add_argument("--seed", type=int, default=7)
    demo.set_defaults(run=_run_demo)

    from beancan.server.commands import add_commands

    add_commands(commands, _Parser)
    return parser


def _run_audit(args: argparse.Namespace) -> int:
    from rich.console import Console

    from beancan.audit.engine import run_audit
    from beancan.audit.readers import open_source
    from beancan.audit.report_html import write_html
    from beancan.audit.report_terminal import RichProgress, print_summary
    from beancan.triage.sentiment import get_analyzer

    target = parse_duration(args.target)
    if not args.no_sentiment:
        try:
            get_analyzer(args.sentiment_model)
        except ValueError as exc:
            raise UsageError(str(exc)) from exc
    for out in (args.json, args.html):
        if out is not None and not out.parent.exists():
            raise UsageError(f"{out}: folder {out.parent} does not exist")
    source = open_source(
        args.file,
        format=args.format,
        map_pairs=args.map,
        time_format=args.time_format,
        brand_handles=tuple(args.brand),
    )
    err = Console(stderr=True)
    options = dict(
        target_seconds=target,
        sentiment=not args.no_sentiment,
        strict=args.strict,
        analyzer=args.sentiment_model,
    )
    if err.is_terminal and not args.quiet:
        with RichProgress(err) as progress:
            result = run_audit(source, progress=progress, **options)
    else:
        result = run_audit(source, **options)
    if args.json:
        args.json.write_text(json.dumps(result.report, indent=2) + "\n", encoding="utf-8")
    if args.html:
        write_html(result, args.html)
    if not args.quiet:
        out = Console(width=max(Console().width, 140) if not sys.stdout.isatty() else None)
        print_summary(result, out)
        seconds = result.details.get("seconds") or 0
        out.print(f"audited in {seconds:.1f} s", highlight=False)
        for label, path in (("JSON", args.json), ("HTML report", args.html)):
            if path:
                out.print(f"{label}: {path.resolve()}", highlight=False, soft_wrap=True)
    return 0


def _run_triage(args: argparse.Namespace) -> int:
    from rich.console import Console

    from beancan.triage.files import (
        check_output,
        estimate_rows,
        open_triage_source,
        print_summary,
        triage_file,
    )
    from beancan.triage.model import load_model

    source = open_triage_source(
        args.file, format=args.format, text_column=args.text_column, map_pairs=args.map
    )
    check_output(args.out, source)
    try:
        model = load_model(args.model)
    except ValueError as exc:
        raise UsageError(f"--model: {exc}") from exc
    err = Console(stderr=True)
    if err.is_terminal and not args.quiet:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        columns = (TextColumn("[bold]triage"), BarColumn(), TextColumn("{task.completed:,} rows"))
        with Progress(*columns, TimeElapsedColumn(), console=err, transient=True) as bar:
            task = bar.add_task("triage", total=estimate_rows(source))
            summary = triage_file(
                source,
                args.out,
                model=model,
                strict=args.strict,
                on_rows=lambda n: bar.advance(task, n),
            )
    else:
        summary = triage_file(source, args.out, model=model, strict=args.strict)
    print_summary(summary, source, args.out, quiet=args.quiet, file=sys.stderr)
    return 0


def _run_demo(args: argparse.Namespace) -> int:
    from beancan.audit.demo import write_demo_export

    if args.conversations < 1:
        raise UsageError("--conversations must be at least 1")
    summary = write_demo_export(args.out, conversations=args.conversations, seed=args.seed)
    print(
        f"wrote {summary.path}: {summary.records} records, {summary.conversations} conversations, "
        f"brands {', '.join(summary.brands)}"
        + (f"; one broken record at line {summary.broken_line}" if summary.broken_line else "")
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; bad input is one line on stderr and exit code 2."""
    from beancan.audit.readers import AuditInputError
    from beancan.server.commands import ServiceUsageError

    try:
        args = build_parser().parse_args(argv)
        return args.run(args)
    except (UsageError, AuditInputError, ServiceUsageError) as exc:
        print(f"beancan: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("beancan: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # an output that cannot be written, a disk that is full
        print(f"beancan: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:
        if os.environ.get("BEANCAN_DEBUG"):
            raise
        print(
            f"beancan: internal error: {type(exc).__name__}: {exc} "
            "(set BEANCAN_DEBUG=1 for details, and please report it)".replace("\n", " "),
            file=sys.stderr,
        )
        return 1
