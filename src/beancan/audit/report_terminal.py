"""The audit's terminal summary: one table a care lead can read at a glance, and a progress bar."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from beancan.audit.engine import AuditResult
from beancan.audit.engine import Progress as EngineProgress
from beancan.audit.report_html import fmt_duration, fmt_int, fmt_pct, fmt_score, fmt_target

TOP_BRANDS = 15


class RichProgress(EngineProgress):
    """The engine's stages as a progress bar on stderr."""

    def __init__(self, console: Console) -> None:
        self._bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._task = None

    def __enter__(self) -> RichProgress:
        self._bar.start()
        return self

    def __exit__(self, *exc) -> None:
        self._bar.stop()

    def stage(self, name: str, total: float | None = None) -> None:
        if self._task is not None:
            self._bar.update(self._task, completed=self._bar.tasks[self._task].total or 1)
        self._task = self._bar.add_task(name, total=total)

    def update(self, completed: float) -> None:
        if self._task is not None:
            self._bar.update(self._task, completed=completed)

    def advance(self, amount: float) -> None:
        if self._task is not None:
            self._bar.advance(self._task, amount)


def _row(name: str, m: dict, sentiment: bool) -> list[str]:
    frt = m.get("first_response_seconds") or {}
    senti = m.get("sentiment") or {}
    feeling = (
        f"{fmt_score(senti.get('first_mean'))}→{fmt_score(senti.get('after_reply_mean'))}"
        if sentiment
        else "–"
    )
    return [
        name,
        fmt_int(m.get("conversations")),
        fmt_int(m.get("customer_initiated")),
        fmt_pct(m.get("response_rate")),
        fmt_duration(frt.get("median")),
        fmt_duration(frt.get("p90")),
        fmt_pct(m.get("within_target_share")),
        fmt_pct(m.get("repeat_contact_share")),
        fmt_pct(m.get("canned_share")),
        fmt_pct(m.get("name_use_share")),
        fmt_pct(m.get("private_handoff_share")),
        feeling,
        fmt_pct(m.get("thanks_share")),
    ]


def print_summary(result: AuditResult, console: Console, *, top: int = TOP_BRANDS) -> None:
    """Print the per-brand summary table, the rejections and what the audit measured."""
    report, details = result.report, result.details
    sentiment = details.get("sentiment_model") is not None
    rows = report["rows"]
    brands = sorted(
        report["brands"].items(), key=lambda kv: (-kv[1]["customer_initiated"], kv[0].lower())
    )
    table = Table(
        title=f"beancan audit · {report['source']}",
        caption=(
            "conv: conversations · cust: customer-initiated · median/p90: first response · "
            "wrote 2+: customer wrote twice before a reply · named: replies using a first name "
            "· private: moved to DM/email/phone · sentiment: first message → after the reply\n"
            f"{fmt_int(rows['valid'])} records, {fmt_int(rows['rejected'])} rejected · "
            f"target {fmt_target(report['target_seconds'])} · sentiment: "
            f"{details.get('sentiment_model') or 'not measured'}"
            + (f" · {len(brands) - top} more brands in the JSON/HTML" if len(brands) > top else "")
        ),
        header_style="bold",
        show_lines=False,
    )
    headers = [
        "brand", "conv", "cust", "answered", "median", "p90", "in target", "wrote 2+",
        "canned", "named", "private", "sentiment", "thanks",
    ]  # fmt: skip
    for i, header in enumerate(headers):
        table.add_column(header, justify="left" if i == 0 else "right", no_wrap=True)
    table.add_row(*_row("all brands", report["overall"], sentiment), style="bold")
    for name, metrics in brands[:top]:
        table.add_row(*_row(name, metrics, sentiment))
    console.print(table)
    if rows["rejected"]:
        console.print(f"[yellow]{fmt_int(rows['rejected'])} record(s) rejected:[/yellow]")
        for rejection in rows["rejections"][:5]:
            console.print(f"  line {rejection['line']}: {rejection['reason']}", highlight=False)
        if rows["rejected"] > 5:
            console.print(f"  … {rows['rejected'] - 5} more in the JSON/HTML report")
