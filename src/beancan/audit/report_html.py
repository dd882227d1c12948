"""The audit's HTML report: one self-contained file a care lead opens offline in a browser.

No external script, stylesheet, font or image: inline CSS, charts as inline SVG drawn here, no
JavaScript. Every value of the result may be missing or None (one brand, nothing answered, no
sentiment, a hundred brands); every piece of data from the export is escaped.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from beancan.audit.engine import RESPONSE_BUCKETS, AuditResult

TOP_BRANDS = 15
SMALL_MULTIPLES = 6
MAX_REJECTIONS = 200
HOUR = 3600.0

# Published expectations the page sets each brand against.
EXPECT_HOUR_SHARE = 0.53  # customers expecting a reply within an hour (Lithium, 2013)
EXPECT_HOUR_COMPLAINT = 0.72  # ... when they complain (Lithium, 2013)
BRAND_AVERAGE_SECONDS = 5.1 * HOUR  # brands' average response time on Twitter (Simply Measured)

# A small palette, used the same way in every chart.
INK = "#1f2933"
MUTED = "#5f6b7a"
GRID = "#e3e7ec"
BLUE = "#2563eb"
LIGHT_BLUE = "#93b4f5"
ORANGE = "#c2410c"
RED = "#dc2626"
GREEN = "#047857"
PURPLE = "#7c3aed"
REF = "#b45309"
HEAT = ("#f1f4f8", "#dbe7fd", "#a9c5f7", "#6b9cf0", "#2f6fe0", "#1e40af")

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
NOT_MEASURED = "not measured (--no-sentiment)"
DASH = "–"

CSS = """
:root { color-scheme: light; --ink: #1f2933; --muted: #5f6b7a; --line: #e3e7ec;
  --soft: #f6f8fa; --blue: #2563eb; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: #fff; color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  "Noto Sans", sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 20px 48px; }
header.top { border-bottom: 3px solid var(--blue); padding-bottom: 12px; margin-bottom: 8px; }
h1 { font-size: 28px; margin: 0 0 2px; letter-spacing: -0.01em; }
h1 .src { font-weight: 500; color: var(--muted); font-size: 20px; margin-left: 6px;
  overflow-wrap: anywhere; }
h2 { font-size: 20px; margin: 36px 0 6px; padding-top: 8px; border-top: 1px solid var(--line); }
header.top + section h2 { border-top: 0; margin-top: 20px; }
h3 { font-size: 15px; margin: 20px 0 6px; }
p { margin: 6px 0; }
.muted, .note { color: var(--muted); }
.note { font-size: 13px; max-width: 80ch; }
.meta { display: flex; flex-wrap: wrap; gap: 4px 20px; margin: 8px 0 0; padding: 0;
  list-style: none; font-size: 14px; }
.meta li { color: var(--muted); }
.meta b { font-weight: 600; color: var(--ink); }
nav.toc { font-size: 13px; margin: 10px 0 0; }
nav.toc ol { display: flex; flex-wrap: wrap; gap: 2px 14px; list-style: none; margin: 0;
  padding: 0; }
nav.toc a { color: var(--blue); text-decoration: none; }
nav.toc a:hover, nav.toc a:focus { text-decoration: underline; }
.cards { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 10px;
  margin: 10px 0 0; }
.card { background: var(--soft); border: 1px solid var(--line); border-radius: 8px;
  padding: 10px 12px; }
.card .label { font-size: 13px; color: var(--muted); }
.card .value { font-size: 26px; font-weight: 650; line-height: 1.2;
  font-variant-numeric: tabular-nums; }
.card .sub { font-size: 12px; color: var(--muted); }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; max-width: 100%; }
.chart svg { display: block; width: 100%; height: auto; }
.chart.wide svg { min-width: 720px; }
.chart.mid svg { min-width: 560px; }
.chart.narrow svg { min-width: 420px; }
.grid3 { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr));
  gap: 8px 18px; }
.grid3 figure, .grid2 figure { margin: 0; min-width: 0; }
.grid3 figcaption, .grid2 figcaption { font-size: 13px; font-weight: 600; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 440px), 1fr));
  gap: 12px 28px; align-items: start; }
svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
table { border-collapse: collapse; font-size: 13px; width: 100%; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { background: #eef2f7; text-align: left; font-weight: 600; vertical-align: bottom; }
thead tr.group th { text-align: center; border-bottom: 1px solid #cfd8e3; }
table.brands th, table.brands td { padding: 4px 5px; }
table.brands { font-size: 12.5px; }
table.brands thead th { font-size: 12px; line-height: 1.25; white-space: normal;
  min-width: 3.6em; }
table.compact { width: auto; min-width: 50%; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody th { text-align: left; font-weight: 600; white-space: nowrap; }
tbody tr:nth-child(even) { background: #fafbfc; }
tr.total th, tr.total td { background: #eef4ff; font-weight: 650;
  border-bottom: 2px solid #c8d6ee; }
table.brands tbody th { position: sticky; left: 0; background: inherit; }
table.brands tbody tr:nth-child(odd) th { background: #fff; }
table.brands tbody tr.total th { background: #eef4ff; }
td.reason { overflow-wrap: anywhere; min-width: 24ch; }
code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 13px; color: var(--muted);
  margin: 4px 0; padding: 0; list-style: none; }
.legend i { display: inline-block; width: 12px; height: 12px; border-radius: 2px;
  box-shadow: inset 0 0 0 1px rgba(31, 41, 51, 0.15);
  vertical-align: -1px; margin-right: 5px; }
.legend i.line { width: 14px; height: 0; border-top: 2px dashed #b45309; border-radius: 0;
  vertical-align: 3px; }
.legend i.dot { border-radius: 50%; box-shadow: none; }
.legend i.line, .legend i.ring { box-shadow: none; }
.legend i.ring { border-radius: 50%; background: #fff; border: 2px solid #5f6b7a; }
dl.defs { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; font-size: 14px;
  margin: 8px 0; }
dl.defs dt { font-weight: 600; }
dl.defs dd { margin: 0; }
footer { margin-top: 36px; font-size: 12px; color: var(--muted);
  border-top: 1px solid var(--line); padding-top: 8px; }
@media (max-width: 640px) {
  main { padding: 16px 12px 32px; }
  h1 { font-size: 24px; }
  .card .value { font-size: 22px; }
  .cards { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  dl.defs { grid-template-columns: 1fr; }
  dl.defs dd { margin-bottom: 6px; }
}
@media print {
  main { max-width: none; padding: 0; }
  nav.toc { display: none; }
  h2 { break-after: avoid; }
  figure, .chart, tr { break-inside: avoid; }
  thead th { position: static; }
}
"""


# --- values -------------------------------------------------------------------------------------


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _num(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _get(mapping: object, *keys: str) -> object:
    for key in keys:
        if not isinstance(mapping, dict):
            return None
        mapping = mapping.get(key)
    return mapping


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list:
    return list(value) if isinstance(value, list | tuple) else []


def _counts(value: object, n: int) -> list[int]:
    items = _list(value)
    out = [max(0, int(_num(v) or 0)) for v in items[:n]]
    return out + [0] * (n - len(out))


def fmt_int(value: object) -> str:
    v = _num(value)
    return DASH if v is None else f"{round(v):,}"


def _plain_int(value: object) -> str:
    v = _num(value)
    return DASH if v is None else str(round(v))


def fmt_pct(value: object) -> str:
    v = _num(value)
    return DASH if v is None else f"{v * 100:.1f}%"


def _trim(text: str) -> str:
    return text[:-2] if text.endswith(".0") else text


def fmt_duration(seconds: object) -> str:
    """A duration the way a person says it: "45 s", "13 min", "2.4 h", "3 d", "6.2 y"."""
    s = _num(seconds)
    if s is None:
        return DASH
    s = max(s, 0.0)
    if s < 60:
        return f"{s:.0f} s"
    if s < HOUR:
        return f"{s / 60:.0f} min"
    if s < 48 * HOUR:
        h = s / HOUR
        return _trim(f"{h:.1f}" if h < 10 else f"{h:.0f}") + " h"
    if s < 365 * 86400:
        d = s / 86400
        return _trim(f"{d:.1f}" if d < 10 else f"{d:.0f}") + " d"
    return _trim(f"{s / (365.25 * 86400):.1f}") + " y"


def fmt_target(seconds: object) -> str:
    s = _num(seconds)
    if s is None:
        return DASH
    if s >= 2 * HOUR and s % HOUR == 0 and s < 48 * HOUR:
        return f"{s / HOUR:.0f} h"
    if s % 60 == 0 and s < 48 * HOUR:
        return f"{s / 60:.0f} min"
    return fmt_duration(s)


def fmt_score(value: object) -> str:
    v = _num(value)
    return DASH if v is None else f"{v:+.2f}".replace("-", "−")


def fmt_time(ts: object, *, with_time: bool = True) -> str:
    v = _num(ts)
    if v is None:
        return DASH
    try:
        moment = datetime.fromtimestamp(v, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return DASH
    return moment.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


def _source_name(source: object) -> str:
    text = str(source) if source not in (None, "") else "(unknown source)"
    name = text.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    return name or text


def _clip(text: str, n: int = 22) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


# --- the result, tolerant of anything missing --------------------------------------------------


class _View:
    """The parts of an AuditResult the page reads, with safe defaults."""

    def __init__(self, result: AuditResult) -> None:
        self.report = _dict(getattr(result, "report", None))
        self.details = _dict(getattr(result, "details", None))
        self.overall = _dict(self.report.get("overall"))
        self.brands = {
            str(k): _dict(v) for k, v in _dict(self.report.get("brands")).items() if k is not None
        }
        self.order = sorted(
            self.brands,
            key=lambda b: (
                -(_num(self.brands[b].get("customer_initiated")) or 0),
                -(_num(self.brands[b].get("conversations")) or 0),
                b.lower(),
            ),
        )
        self.top = self.order[:TOP_BRANDS]
        self.target = _num(self.report.get("target_seconds"))
        if self.target is None:
            self.target = _num(self.details.get("target_seconds"))
        self.sentiment_model = self.details.get("sentiment_model")
        labels = [str(x) for x in _list(self.details.get("response_buckets"))]
        self.buckets = labels or [b[0] for b in RESPONSE_BUCKETS] + ["never"]
        self.distribution = {
            str(k): _counts(v, len(self.buckets))
            for k, v in _dict(self.details.get("distribution")).items()
        }
        self.repeat_buckets = [str(x) for x in _list(self.details.get("repeat_buckets"))] or [
            "1",
            "2",
            "3",
            "4+",
        ]
        self.repeats = {
            str(k): _counts(v, len(self.repeat_buckets))
            for k, v in _dict(self.details.get("repeats")).items()
        }

    def metrics(self, brand: str | None) -> dict:
        return self.overall if brand is None else self.brands.get(brand, {})

    def within_hour(self, brand: str | None) -> float | None:
        """Share of customer-initiated conversations answered within one hour."""
        m = self.metrics(brand)
        if self.target == HOUR:
            return _num(m.get("within_target_share"))
        counts = self.distribution.get("" if brand is None else brand)
        uppers = {label: hi for label, _lo, hi in RESPONSE_BUCKETS}
        if not counts or not all(label in uppers or label == "never" for label in self.buckets):
            return None
        total = sum(counts)
        if not total:
            return None
        fast = sum(
            c
            for label, c in zip(self.buckets, counts, strict=True)
            if uppers.get(label) is not None and uppers[label] <= HOUR
        )
        return fast / total


# --- SVG helpers --------------------------------------------------------------------------------


class _Ids:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self, stem: str) -> str:
        self.n += 1
        return f"{stem}-{self.n}"


def _svg(
    ids: _Ids, width: float, height: float, title: str, desc: str, body: Iterable[str], **attrs
) -> str:
    tid, did = ids("t"), ids("d")
    extra = "".join(f' {k.rstrip("_").replace("_", "-")}="{_e(v)}"' for k, v in attrs.items())
    return (
        f'<svg viewBox="0 0 {width:g} {height:g}" '
        f'role="img" aria-labelledby="{tid} {did}" font-size="12" '
        f'style="max-width:{width:g}px"{extra}>'
        f'<title id="{tid}">{_e(title)}</title><desc id="{did}">{_e(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _text(x: float, y: float, text: str, *, anchor: str = "start", fill: str = INK, **attrs) -> str:
    extra = "".join(f' {k.rstrip("_").replace("_", "-")}="{_e(v)}"' for k, v in attrs.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}"{extra}>'
        f"{_e(text)}</text>"
    )


def _rect(
    x: float, y: float, w: float, h: float, fill: str, tip: str | None = None, **attrs
) -> str:
    extra = "".join(f' {k.rstrip("_").replace("_", "-")}="{_e(v)}"' for k, v in attrs.items())
    inner = f"<title>{_e(tip)}</title>" if tip else ""
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{max(h, 0):.1f}" '
        f'fill="{fill}"{extra}>{inner}</rect>'
    )


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str, **attrs) -> str:
    extra = "".join(f' {k.rstrip("_").replace("_", "-")}="{_e(v)}"' for k, v in attrs.items())
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}"{extra}/>'
    )


def _nice_ticks(peak: float, count: int = 4, *, whole: bool = False) -> list[float]:
    """Round tick values from 0 to at least `peak`, about `count` steps (whole numbers if asked)."""
    if peak <= 0:
        return [0.0, 1.0]
    raw = peak / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if whole:
        step = max(1, math.ceil(step))
    top = math.ceil(peak / step - 1e-9) * step
    return [i * step for i in range(round(top / step) + 1)]


def _figure(svg: str, cls: str = "wide") -> str:
    return f'<div class="chart scroll {cls}">{svg}</div>'


def _legend(items: Sequence[tuple[str, str, str]]) -> str:
    """items: (kind, color, label); kind is "box", "line", "dot" or "ring"."""
    parts = []
    for kind, color, label in items:
        style = "" if kind in ("line", "ring") else f' style="background:{color}"'
        cls = "" if kind == "box" else f' class="{kind}"'
        parts.append(f"<li><i{cls}{style}></i>{_e(label)}</li>")
    return f'<ul class="legend">{"".join(parts)}</ul>'


# --- sections -----------------------------------------------------------------------------------

SECTIONS = (
    ("headline", "Headline figures"),
    ("expectations", "Against published expectations"),
    ("brands", "Per brand"),
    ("distribution", "First-response distribution"),
    ("hours", "Hour of week"),
    ("repeats", "Repeat contacts"),
    ("personal", "Canned vs personal"),
    ("sentiment", "Sentiment before and after"),
    ("waits", "Longest waits"),
    ("rejected", "Rejected records"),
    ("definitions", "How these are measured"),
)


def _header(v: _View) -> str:
    rows = _dict(v.report.get("rows"))
    span = _list(v.details.get("time_span"))
    start, end = [*span, None, None][:2]
    if _num(start) is None and _num(end) is None:
        covered = DASH
    else:
        covered = f"{fmt_time(start, with_time=False)} → {fmt_time(end, with_time=False)} (UTC)"
    model = v.sentiment_model
    sentiment = _e(model) if model else NOT_MEASURED
    source = v.report.get("source")
    fmt = v.details.get("format")
    meta = [
        f"<li>time span: <b>{_e(covered)}</b></li>",
        f"<li>rows: <b>{fmt_int(rows.get('valid'))} valid, "
        f"{fmt_int(rows.get('rejected'))} rejected</b></li>",
        f"<li>target: <b>first response within {_e(fmt_target(v.target))}</b></li>",
        f"<li>sentiment: <b>{sentiment}</b></li>",
        f"<li>brands: <b>{len(v.brands):,}</b></li>",
    ]
    if fmt:
        meta.append(f"<li>format: <b>{_e(fmt)}</b></li>")
    toc = "".join(f'<li><a href="#{sid}">{_e(name)}</a></li>' for sid, name in SECTIONS)
    return (
        '<header class="top">'
        f'<h1>beancan audit <span class="src">{_e(_source_name(source))}</span></h1>'
        f'<p class="muted" style="font-size:13px;margin:0">{_e(source or "")}</p>'
        f'<ul class="meta">{"".join(meta)}</ul>'
        f'<nav class="toc" aria-label="Sections"><ol>{toc}</ol></nav>'
        "</header>"
    )


def _headline(v: _View) -> str:
    m = v.overall
    frt = _dict(m.get("first_response_seconds"))
    cards = [
        (
            "Conversations",
            fmt_int(m.get("conversations")),
            f"{fmt_int(m.get('customer_initiated'))} started by a customer",
        ),
        (
            "Response rate",
            fmt_pct(m.get("response_rate")),
            f"{fmt_int(m.get('answered'))} of {fmt_int(m.get('customer_initiated'))} answered",
        ),
        (
            "Median first response",
            fmt_duration(frt.get("median")),
            f"p90 {fmt_duration(frt.get('p90'))} · mean {fmt_duration(frt.get('mean'))}",
        ),
        (
            "Within target",
            fmt_pct(m.get("within_target_share")),
            f"answered within {fmt_target(v.target)}",
        ),
        (
            "Repeat contacts",
            fmt_pct(m.get("repeat_contact_share")),
            "customer wrote 2+ times before a reply",
        ),
        ("Canned replies", fmt_pct(m.get("canned_share")), "same template as 2+ other replies"),
        ("Name use", fmt_pct(m.get("name_use_share")), "replies using the customer's name"),
        ("Thanks", fmt_pct(m.get("thanks_share")), "customer thanked after a reply"),
    ]
    html_cards = "".join(
        f'<div class="card"><div class="label">{_e(label)}</div>'
        f'<div class="value">{_e(value)}</div><div class="sub">{_e(sub)}</div></div>'
        for label, value, sub in cards
    )
    return (
        '<section id="headline" aria-labelledby="h-headline">'
        '<h2 id="h-headline">Headline figures, all brands</h2>'
        f'<div class="cards">{html_cards}</div></section>'
    )


def _log_x(seconds: float, x0: float, width: float, lo: float, hi: float) -> float:
    s = min(max(seconds, lo), hi)
    return x0 + (math.log(s) - math.log(lo)) / (math.log(hi) - math.log(lo)) * width


def _expectations(v: _View, ids: _Ids) -> str:
    rows: list[tuple[str | None, str]] = [(None, "all brands")] + [(b, b) for b in v.top]
    label_w, a0, aw, b0, bw = 170.0, 182.0, 330.0, 610.0, 290.0
    top, row_h = 50.0, 24.0
    height = top + row_h * len(rows) + 36
    width = 980.0
    lo, hi = 60.0, 14 * 86400.0
    body = [
        _text(a0, 16, "Answered within 1 hour", font_weight="600"),
        _text(b0, 16, "Median first response (log scale)", font_weight="600"),
    ]
    axis_y = top + row_h * len(rows) + 4
    body += [_rect(0, top + i * row_h, width, row_h, "#f7f9fb") for i in range(1, len(rows), 2)]
    for pct in (0, 25, 50, 75, 100):
        x = a0 + aw * pct / 100
        body.append(_line(x, top - 6, x, axis_y, GRID))
        body.append(_text(x, axis_y + 14, f"{pct}%", anchor="middle", fill=MUTED, font_size=11))
    for secs, label in (
        (60, "1 min"),
        (900, "15 min"),
        (HOUR, "1 h"),
        (86400, "1 d"),
        (7 * 86400, "1 wk"),
    ):
        x = _log_x(secs, b0, bw, lo, hi)
        body.append(_line(x, top - 6, x, axis_y, GRID))
        body.append(_text(x, axis_y + 14, label, anchor="middle", fill=MUTED, font_size=11))
    for i, (brand, label) in enumerate(rows):
        y = top + i * row_h
        cy = y + row_h / 2
        m = v.metrics(brand)
        bold = {"font_weight": "700"} if brand is None else {}
        body.append(_text(label_w, cy + 4, _clip(label), anchor="end", **bold))
        share = v.within_hour(brand)
        color = INK if brand is None else BLUE
        if share is not None:
            tip = f"{label}: {fmt_pct(share)} answered within 1 hour"
            body.append(_rect(a0, y + 5, aw * min(max(share, 0), 1), row_h - 10, color, tip))
        body.append(_text(a0 + aw + 8, cy + 4, fmt_pct(share), **bold))
        median = _num(_get(m, "first_response_seconds", "median"))
        if median is not None:
            x = _log_x(median, b0, bw, lo, hi)
            faster = median <= BRAND_AVERAGE_SECONDS
            dot = (INK if brand is None else BLUE) if faster else ORANGE
            tip = f"{label}: median first response {fmt_duration(median)}"
            body.append(_line(b0, cy, x, cy, dot, stroke_width="2", stroke_opacity="0.35"))
            body.append(
                f'<circle cx="{x:.1f}" cy="{cy:.1f}" r="5.5" fill="{dot}">'
                f"<title>{_e(tip)}</title></circle>"
            )
        body.append(_text(b0 + bw + 10, cy + 4, fmt_duration(median), **bold))
    # Reference lines above the bars.
    for share in (EXPECT_HOUR_SHARE, EXPECT_HOUR_COMPLAINT):
        x = a0 + aw * share
        body.append(_line(x, top - 12, x, axis_y, REF, stroke_width="1.5", stroke_dasharray="5 3"))
        body.append(
            _text(x, top - 16, f"{share * 100:.0f}%", anchor="middle", fill=REF, font_weight="600")
        )
    xr = _log_x(BRAND_AVERAGE_SECONDS, b0, bw, lo, hi)
    body.append(_line(xr, top - 12, xr, axis_y, REF, stroke_width="1.5", stroke_dasharray="5 3"))
    body.append(_text(xr, top - 16, "5.1 h", anchor="middle", fill=REF, font_weight="600"))
    body.append(_line(a0, top - 6, a0, axis_y, MUTED))
    body.append(_line(b0, top - 6, b0, axis_y, MUTED))
    svg = _svg(
        ids,
        width,
        height,
        "Each brand against published expectations",
        "Per brand, the share of customer-initiated conversations answered within one hour "
        "(bars, reference lines at 53% and 72%) and the median first response on a log scale "
        "(dots, reference line at 5.1 hours).",
        body,
        id="expectations-chart",
    )
    shares = [(b, v.within_hour(b)) for b in v.top]
    medians = [_num(_get(v.metrics(b), "first_response_seconds", "median")) for b in v.top]
    n53 = sum(1 for _b, s in shares if s is not None and s >= EXPECT_HOUR_SHARE)
    n72 = sum(1 for _b, s in shares if s is not None and s >= EXPECT_HOUR_COMPLAINT)
    nfast = sum(1 for s in medians if s is not None and s <= BRAND_AVERAGE_SECONDS)
    n = len(v.top)
    if n == 0:
        summary = "No brand in this export."
    else:
        who = "Of the only brand" if n == 1 else f"Of the {n} largest brands"
        summary = (
            f"{who} by customer-initiated volume, {n53} answer at least 53% of customers within "
            f"an hour and {n72} reach 72%; {nfast} have a median first response faster than the "
            "5.1 h brand average of 2013."
        )
    return (
        '<section id="expectations" aria-labelledby="h-expectations">'
        '<h2 id="h-expectations">Against published expectations</h2>'
        f"<p>{_e(summary)}</p>"
        + _legend(
            [
                ("box", BLUE, "answered within 1 hour"),
                ("line", REF, "53% / 72% expect a reply within an hour / when complaining"),
                ("dot", BLUE, "median first response ≤ 5.1 h"),
                ("dot", ORANGE, "slower than 5.1 h"),
            ]
        )
        + _figure(svg)
        + '<p class="note">Sources: 53% of customers who tweet at a brand expect a reply within '
        "an hour, and 72% when they complain — Lithium Technologies consumer survey, 2013. "
        "Brands averaged 5.1 h to respond on Twitter — Simply Measured, 2013. The largest "
        f"{TOP_BRANDS} brands by customer-initiated conversations are shown; all are in the "
        "table below.</p></section>"
    )


BRAND_COLUMNS = (
    ("conversations", "All"),
    ("customer_initiated", "By customer"),
    ("answered", "Answered"),
    ("response_rate", "Response rate"),
    ("frt_median", "Median"),
    ("frt_p90", "p90"),
    ("frt_mean", "Mean"),
    ("within_target_share", "Within target"),
    ("repeat_contact_share", "Repeat contacts"),
    ("canned_share", "Canned"),
    ("name_use_share", "Name use"),
    ("signed_share", "Signed"),
    ("private_handoff_share", "Private handoff"),
    ("sentiment", "First → after"),
    ("improved_share", "Improved"),
    ("thanks_share", "Thanks"),
)
# Header groups over BRAND_COLUMNS: (label or None for a single column, number of columns).
BRAND_GROUPS = (
    ("Conversations", 3),
    (None, 1),
    ("First response", 3),
    (None, 1),
    (None, 1),
    ("Brand replies", 4),
    ("Sentiment", 2),
    (None, 1),
)


def _brand_cells(m: dict) -> list[tuple[str, str]]:
    frt = _dict(m.get("first_response_seconds"))
    sent = _dict(m.get("sentiment"))
    first, after = sent.get("first_mean"), sent.get("after_reply_mean")
    sentiment = (
        DASH
        if _num(first) is None and _num(after) is None
        else f"{fmt_score(first)} → {fmt_score(after)}"
    )
    values = {
        "conversations": fmt_int(m.get("conversations")),
        "customer_initiated": fmt_int(m.get("customer_initiated")),
        "answered": fmt_int(m.get("answered")),
        "frt_median": fmt_duration(frt.get("median")),
        "frt_p90": fmt_duration(frt.get("p90")),
        "frt_mean": fmt_duration(frt.get("mean")),
        "sentiment": sentiment,
        "improved_share": fmt_pct(sent.get("improved_share")),
    }
    return [
        (key, values[key] if key in values else fmt_pct(m.get(key))) for key, _ in BRAND_COLUMNS
    ]


def _brand_table(v: _View) -> str:
    top, bottom, i = ['<th scope="col" rowspan="2">Brand</th>'], [], 0
    for group, span in BRAND_GROUPS:
        cols = BRAND_COLUMNS[i : i + span]
        i += span
        if group is None:
            top += [f'<th scope="col" rowspan="2" class="num">{_e(n)}</th>' for _k, n in cols]
        else:
            top.append(f'<th scope="colgroup" colspan="{span}">{_e(group)}</th>')
            bottom += [f'<th scope="col" class="num">{_e(n)}</th>' for _k, n in cols]

    def row(label: str, m: dict, cls: str = "") -> str:
        cells = "".join(
            f'<td class="num" data-col="{key}">{_e(text)}</td>' for key, text in _brand_cells(m)
        )
        attr = f' class="{cls}"' if cls else ""
        return f'<tr{attr}><th scope="row">{_e(label)}</th>{cells}</tr>'

    body = [row("all brands", v.overall, "total")]
    body += [row(b, v.brands[b]) for b in v.order]
    if not v.brands:
        body.append(
            f'<tr><td colspan="{len(BRAND_COLUMNS) + 1}" class="muted">No brand found.</td></tr>'
        )
    return (
        '<section id="brands" aria-labelledby="h-brands">'
        '<h2 id="h-brands">Per brand</h2>'
        f'<p class="note">All {len(v.brands):,} brands, largest first by customer-initiated '
        f"conversations. First response times are over answered conversations; within target = "
        f"answered within {_e(fmt_target(v.target))}. Canned, name use, signed and private handoff "
        "are shares of the brand's replies. “–” = not measurable.</p>"
        '<div class="scroll" tabindex="0" role="region" aria-label="Per-brand table">'
        '<table class="brands" id="brand-table"><thead>'
        f'<tr class="group">{"".join(top)}</tr><tr>{"".join(bottom)}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div></section>"
    )


def _bucket_colors(v: _View) -> list[str]:
    uppers = {label: hi for label, _lo, hi in RESPONSE_BUCKETS}
    colors = []
    for label in v.buckets:
        if label == "never":
            colors.append(RED)
        elif label in uppers and v.target is not None:
            hi = uppers[label]
            colors.append(BLUE if hi is not None and hi <= v.target else LIGHT_BLUE)
        else:
            colors.append(BLUE)
    return colors


def _short_bucket(label: str) -> str:
    return label.replace(" min", "m").replace(" h", "h").replace(" ", "")


def _bar_chart(
    ids: _Ids,
    labels: Sequence[str],
    counts: Sequence[int],
    colors: Sequence[str],
    title: str,
    desc: str,
    *,
    width: float = 760,
    height: float = 250,
    small: bool = False,
    svg_id: str | None = None,
    item: str = "conversations",
) -> str:
    total = sum(counts)
    ticks = _nice_ticks(max(counts) if counts else 0, whole=True)
    peak = ticks[-1]
    left, right, top, bottom = (6.0, 6.0, 30.0, 26.0) if small else (44.0, 10.0, 40.0, 30.0)
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(labels), 1)
    slot = plot_w / n
    bar_w = slot * 0.7
    fs = 10 if small else 12
    body = []
    if not small:
        for tick in ticks:
            y = top + plot_h * (1 - tick / peak)
            body.append(_line(left, y, left + plot_w, y, GRID))
            body.append(
                _text(left - 6, y + 4, f"{tick:,.10g}", anchor="end", fill=MUTED, font_size=11)
            )
    for i, (label, count) in enumerate(zip(labels, counts, strict=False)):
        x = left + i * slot + (slot - bar_w) / 2
        h = plot_h * count / peak
        share = count / total if total else None
        tip = f"{label}: {count:,} {item} ({fmt_pct(share)})"
        body.append(_rect(x, top + plot_h - h, bar_w, h, colors[i % len(colors)], tip))
        cx = x + bar_w / 2
        if small:
            body.append(
                _text(
                    cx,
                    top + plot_h - h - 4,
                    fmt_pct(share).replace(".0%", "%"),
                    anchor="middle",
                    font_size=9,
                    fill=MUTED,
                )
            )
            body.append(
                _text(
                    cx,
                    height - 8,
                    _short_bucket(label),
                    anchor="middle",
                    font_size=fs - 1,
                    fill=MUTED,
                )
            )
        else:
            body.append(
                _text(cx, top + plot_h - h - 18, f"{count:,}", anchor="middle", font_weight="600")
            )
            body.append(
                _text(
                    cx,
                    top + plot_h - h - 5,
                    fmt_pct(share),
                    anchor="middle",
                    fill=MUTED,
                    font_size=11,
                )
            )
            body.append(_text(cx, height - 10, label, anchor="middle"))
    body.append(_line(left, top + plot_h, left + plot_w, top + plot_h, MUTED))
    attrs = {"id": svg_id} if svg_id else {}
    return _svg(ids, width, height, title, desc, body, **attrs)


def _distribution(v: _View, ids: _Ids) -> str:
    counts = v.distribution.get("", [0] * len(v.buckets))
    colors = _bucket_colors(v)
    total = sum(counts)
    chart = _bar_chart(
        ids,
        v.buckets,
        counts,
        colors,
        "First-response time, all brands",
        f"Customer-initiated conversations by time to the first brand reply ({total:,} in all), "
        "with never-answered ones last.",
        svg_id="distribution-chart",
    )
    multiples = []
    for brand in v.top[:SMALL_MULTIPLES]:
        bc = v.distribution.get(brand)
        if not bc or not sum(bc):
            continue
        svg = _bar_chart(
            ids,
            v.buckets,
            bc,
            colors,
            f"First-response time, {brand}",
            f"{brand}: customer-initiated conversations by time to the first reply.",
            width=320,
            height=130,
            small=True,
        )
        multiples.append(
            f"<figure><figcaption>{_e(brand)} <span class='muted'>"
            f"({sum(bc):,})</span></figcaption>{svg}</figure>"
        )
    small = (
        f"<h3>{'The largest brand' if len(multiples) == 1 else 'The largest brands'}</h3>"
        f'<div class="grid3 chart">{"".join(multiples)}</div>'
        if multiples
        else ""
    )
    return (
        '<section id="distribution" aria-labelledby="h-distribution">'
        '<h2 id="h-distribution">First-response distribution</h2>'
        f"<p>{total:,} customer-initiated conversations by time to the first brand reply.</p>"
        + _legend(
            [
                ("box", BLUE, f"within target ({fmt_target(v.target)})"),
                ("box", LIGHT_BLUE, "later"),
                ("box", RED, "never answered"),
            ]
        )
        + _figure(chart, "mid")
        + small
        + "</section>"
    )


def _heat_bins(peak: int) -> list[int]:
    """Upper edges of the non-zero volume bins."""
    n = min(len(HEAT) - 1, peak)
    if n <= 0:
        return []
    if peak <= len(HEAT) - 1:
        return list(range(1, peak + 1))
    # Geometric edges: hours with a handful of conversations stay distinguishable next to a peak.
    edges = sorted({max(1, round(peak ** ((i + 1) / n))) for i in range(n)})
    return edges


def _median_phrase(seconds: object) -> str:
    if _num(seconds) is None:
        return "none answered"
    return f"median first response {fmt_duration(seconds)}"


def _heatmap(v: _View, ids: _Ids) -> str:
    how = _dict(v.overall.get("hour_of_week"))
    volume = _counts(how.get("volume"), 168)
    medians = _list(how.get("median_first_response_seconds"))
    medians = (medians + [None] * 168)[:168]
    peak = max(volume)
    edges = _heat_bins(peak)

    def color(count: int) -> str:
        if count <= 0:
            return HEAT[0]
        for i, edge in enumerate(edges):
            if count <= edge:
                return HEAT[i + 1]
        return HEAT[-1]

    cell_w, cell_h, left, top = 34.0, 24.0, 44.0, 26.0
    width = left + 24 * cell_w + 70
    height = top + 7 * cell_h + 10
    body = []
    for hour in range(24):
        body.append(
            _text(
                left + hour * cell_w + cell_w / 2,
                top - 8,
                f"{hour:02d}",
                anchor="middle",
                fill=MUTED,
                font_size=11,
            )
        )
    body.append(_text(width - 6, top - 8, "day total", anchor="end", fill=MUTED, font_size=11))
    for day in range(7):
        y = top + day * cell_h
        body.append(_text(left - 8, y + cell_h / 2 + 4, DAYS[day], anchor="end"))
        for hour in range(24):
            i = day * 24 + hour
            count = volume[i]
            tip = (
                f"{DAYS[day]} {hour:02d}:00–{hour:02d}:59 UTC: {count:,} conversation"
                f"{'' if count == 1 else 's'}"
                + (f"; {_median_phrase(medians[i])}" if count else "")
            )
            fill = color(count)
            x = left + hour * cell_w
            body.append(
                _rect(x + 1, y + 1, cell_w - 2, cell_h - 2, fill, tip, class_="cell", rx="2")
            )
            if count:
                dark = fill in HEAT[4:]
                body.append(
                    _text(
                        x + cell_w / 2,
                        y + cell_h / 2 + 4,
                        f"{count:,}",
                        anchor="middle",
                        font_size=10,
                        fill="#fff" if dark else INK,
                        pointer_events="none",
                    )
                )
        day_total = sum(volume[day * 24 : day * 24 + 24])
        body.append(
            _text(width - 6, y + cell_h / 2 + 4, f"{day_total:,}", anchor="end", fill=MUTED)
        )
    svg = _svg(
        ids,
        width,
        height,
        "Customer-initiated conversations by hour of week (UTC)",
        "7 rows Monday to Sunday by 24 hour columns; color is the number of conversations a "
        "customer started in that hour; each cell's tooltip gives the median first response.",
        body,
        id="heatmap",
    )
    legend = [("box", HEAT[0], "0")]
    lower = 1
    for i, edge in enumerate(edges):
        label = f"{lower:,}" if lower == edge else f"{lower:,}–{edge:,}"
        legend.append(("box", HEAT[i + 1], label))
        lower = edge + 1
    busiest = max(range(168), key=lambda i: (volume[i], -i)) if peak else None
    busy = (
        f" Busiest hour: {DAYS[busiest // 24]} {busiest % 24:02d}:00 UTC with {peak:,} new "
        f"conversations ({_median_phrase(medians[busiest])})."
        if busiest is not None
        else " No customer-initiated conversation."
    )
    return (
        '<section id="hours" aria-labelledby="h-hours">'
        '<h2 id="h-hours">Hour of week</h2>'
        "<p>When customers start conversations, all brands; times are UTC. Hover a cell for "
        f"its median first response.{_e(busy)}</p>"
        + '<p class="legend" style="margin-bottom:0">Conversations per hour:</p>'
        + _legend(legend)
        + _figure(svg)
        + "</section>"
    )


def _share_rows(
    ids: _Ids,
    rows: Sequence[tuple[str, float | None, bool]],
    title: str,
    desc: str,
    color: str,
    *,
    width: float = 760,
) -> str:
    label_w, x0, row_h, top = 170.0, 182.0, 22.0, 8.0
    bar_w = width - x0 - 70
    peak = max([s for _l, s, _b in rows if s is not None] + [0.0])
    ticks = _nice_ticks(peak) if 0 < peak <= 0.5 else [0.0, 0.25, 0.5, 0.75, 1.0]
    scale = ticks[-1]
    height = top + row_h * len(rows) + 24
    body = []
    axis_y = top + row_h * len(rows)
    for frac in ticks:
        x = x0 + bar_w * frac / scale
        body.append(_line(x, top, x, axis_y, GRID))
        body.append(
            _text(x, axis_y + 14, f"{frac * 100:.3g}%", anchor="middle", fill=MUTED, font_size=11)
        )
    for i, (label, share, bold) in enumerate(rows):
        y = top + i * row_h
        weight = {"font_weight": "700"} if bold else {}
        body.append(_text(label_w, y + row_h / 2 + 4, _clip(label), anchor="end", **weight))
        if share is not None:
            w = bar_w * min(max(share, 0.0) / scale, 1.0)
            body.append(
                _rect(x0, y + 4, w, row_h - 8, INK if bold else color, f"{label}: {fmt_pct(share)}")
            )
            tx = x0 + w + 6
        else:
            tx = x0 + 6
        body.append(_text(tx, y + row_h / 2 + 4, fmt_pct(share), **weight))
    body.append(_line(x0, top, x0, axis_y, MUTED))
    return _svg(ids, width, height, title, desc, body)


def _repeats(v: _View, ids: _Ids) -> str:
    counts = v.repeats.get("", [0] * len(v.repeat_buckets))
    names = {"1": "once", "2": "2 times", "3": "3 times", "4+": "4+ times"}
    labels = [names.get(b, b) for b in v.repeat_buckets]
    colors = [BLUE] + [ORANGE] * (len(labels) - 1)
    chart = _bar_chart(
        ids,
        labels,
        counts,
        colors,
        "How many times customers wrote before a reply",
        "Customer-initiated conversations by the number of messages the customer sent before the "
        "first brand reply (or in all, if never answered).",
        width=520,
        height=300,
        svg_id="repeats-chart",
        item="customers",
    )
    rows = [("all brands", _num(v.overall.get("repeat_contact_share")), True)]
    rows += [(b, _num(v.brands[b].get("repeat_contact_share")), False) for b in v.top]
    per_brand = _share_rows(
        ids,
        rows,
        "Repeat-contact share by brand",
        "Share of customer-initiated conversations whose customer wrote 2 or more times before a "
        "reply, for the largest brands.",
        ORANGE,
        width=600,
    )
    return (
        '<section id="repeats" aria-labelledby="h-repeats">'
        '<h2 id="h-repeats">Repeat contacts</h2>'
        f"<p>Customers who wrote 1, 2, 3, 4+ times before a reply. Repeat contacts (2+): "
        f"<b>{_e(fmt_pct(v.overall.get('repeat_contact_share')))}</b> of customer-initiated "
        "conversations.</p>"
        + '<div class="grid2"><figure><figcaption>All brands</figcaption>'
        + _figure(chart, "narrow")
        + "</figure><figure><figcaption>Repeat-contact share, largest brands</figcaption>"
        + _figure(per_brand, "narrow")
        + "</figure></div></section>"
    )


PERSONAL = (
    ("canned_share", "Canned", ORANGE),
    ("name_use_share", "Name use", BLUE),
    ("signed_share", "Signed", GREEN),
    ("private_handoff_share", "Private handoff", PURPLE),
)


def _personal(v: _View, ids: _Ids) -> str:
    rows: list[tuple[str | None, str]] = [(None, "all brands")] + [(b, b) for b in v.top]
    label_w, x0, panel_w, gap, row_h, top = 170.0, 182.0, 150.0, 52.0, 22.0, 28.0
    width = x0 + len(PERSONAL) * (panel_w + gap)
    height = top + row_h * len(rows) + 10
    body = [_rect(0, top + i * row_h, width, row_h, "#f7f9fb") for i in range(1, len(rows), 2)]
    for p, (_key, name, color) in enumerate(PERSONAL):
        px = x0 + p * (panel_w + gap)
        body.append(_text(px, 16, name, fill=color, font_weight="700"))
        body.append(_line(px, top - 4, px, top + row_h * len(rows), MUTED))
        body.append(
            _line(
                px + panel_w,
                top - 4,
                px + panel_w,
                top + row_h * len(rows),
                GRID,
                stroke_dasharray="2 3",
            )
        )
    for i, (brand, label) in enumerate(rows):
        y = top + i * row_h
        m = v.metrics(brand)
        bold = {"font_weight": "700"} if brand is None else {}
        body.append(_text(label_w, y + row_h / 2 + 4, _clip(label), anchor="end", **bold))
        for p, (key, name, color) in enumerate(PERSONAL):
            px = x0 + p * (panel_w + gap)
            share = _num(m.get(key))
            if share is not None:
                w = panel_w * min(max(share, 0.0), 1.0)
                body.append(
                    _rect(
                        px,
                        y + 4,
                        w,
                        row_h - 8,
                        color,
                        f"{label}: {name.lower()} {fmt_pct(share)} of replies",
                    )
                )
            text_x = px + (panel_w * min(max(share or 0.0, 0.0), 1.0)) + 4
            text_x = min(text_x, px + panel_w + 2)
            body.append(_text(text_x, y + row_h / 2 + 4, fmt_pct(share), font_size=11, **bold))
    svg = _svg(
        ids,
        width,
        height,
        "Canned vs personal replies by brand",
        "For all brands and the largest brands: the share of brand replies that are canned, that "
        "use the customer's first name, that are signed by an agent and that move the customer "
        "to a private channel, each on a 0 to 100% scale.",
        body,
        id="personal-chart",
    )
    return (
        '<section id="personal" aria-labelledby="h-personal">'
        '<h2 id="h-personal">Canned vs personal</h2>'
        "<p>Shares of each brand's replies, 0–100% in each panel. Personal replies use the "
        "customer's name and are signed; canned ones repeat a template; private handoffs move "
        f"the customer to DM, e-mail, phone or chat. Brand replies in the export: "
        f"{fmt_int(v.details.get('brand_replies'))}.</p>" + _figure(svg) + "</section>"
    )


def _sentiment(v: _View, ids: _Ids) -> str:
    head = '<section id="sentiment" aria-labelledby="h-sentiment"><h2 id="h-sentiment">' + (
        "Sentiment before and after</h2>"
    )
    rows: list[tuple[str | None, str]] = [(None, "all brands")] + [(b, b) for b in v.top]
    measured = [
        (brand, label, _dict(v.metrics(brand).get("sentiment")))
        for brand, label in rows
        if _num(_get(v.metrics(brand), "sentiment", "first_mean")) is not None
        or _num(_get(v.metrics(brand), "sentiment", "after_reply_mean")) is not None
    ]
    if not v.sentiment_model or not measured:
        why = (
            f"Sentiment: {NOT_MEASURED}."
            if not v.sentiment_model
            else f"Sentiment ({v.sentiment_model}): no customer message could be scored."
        )
        return head + f'<p class="muted">{_e(why)}</p></section>'
    label_w, x0, axis_w, row_h, top = 170.0, 190.0, 440.0, 24.0, 30.0
    width = x0 + axis_w + 260
    height = top + row_h * len(measured) + 30

    def x_of(score: float) -> float:
        return x0 + (min(max(score, -1.0), 1.0) + 1) / 2 * axis_w

    axis_y = top + row_h * len(measured)
    body = [
        _text(x0 + axis_w + 24, 16, "first → after", fill=MUTED, font_size=11),
        _text(x0 + axis_w + 150, 16, "improved", fill=MUTED, font_size=11),
    ]
    for tick in (-1, -0.5, 0, 0.5, 1):
        x = x_of(tick)
        body.append(_line(x, top - 6, x, axis_y, MUTED if tick == 0 else GRID))
        body.append(
            _text(
                x,
                axis_y + 14,
                f"{tick:+g}".replace("+0", "0").replace("-", "−"),
                anchor="middle",
                fill=MUTED,
                font_size=11,
            )
        )
    body.append(_text(x_of(-1), top - 12, "negative", fill=MUTED, font_size=11))
    body.append(_text(x_of(1), top - 12, "positive", anchor="end", fill=MUTED, font_size=11))
    for i, (brand, label, sent) in enumerate(measured):
        y = top + i * row_h
        cy = y + row_h / 2
        bold = {"font_weight": "700"} if brand is None else {}
        if i % 2 == 1:
            body.append(_rect(0, y, width, row_h, "#f7f9fb"))
        body.append(_text(label_w, cy + 4, _clip(label), anchor="end", **bold))
        first, after = _num(sent.get("first_mean")), _num(sent.get("after_reply_mean"))
        if first is not None and after is not None:
            color = GREEN if after > first else RED if after < first else MUTED
            body.append(_line(x_of(first), cy, x_of(after), cy, color, stroke_width="3"))
        if first is not None:
            body.append(
                f'<circle cx="{x_of(first):.1f}" cy="{cy:.1f}" r="5" fill="#fff" '
                f'stroke="{MUTED}" stroke-width="2"><title>{_e(label)}: customer\'s first '
                f"message {fmt_score(first)}</title></circle>"
            )
        if after is not None:
            color = GREEN if first is None or after >= first else RED
            body.append(
                f'<circle cx="{x_of(after):.1f}" cy="{cy:.1f}" r="5" fill="{color}">'
                f"<title>{_e(label)}: first message after the reply "
                f"{fmt_score(after)}</title></circle>"
            )
        body.append(
            _text(x0 + axis_w + 24, cy + 4, f"{fmt_score(first)} → {fmt_score(after)}", **bold)
        )
        body.append(_text(x0 + axis_w + 150, cy + 4, fmt_pct(sent.get("improved_share")), **bold))
    svg = _svg(
        ids,
        width,
        height,
        "Customer sentiment before and after the brand's reply",
        "Per brand, the mean compound sentiment (−1 to 1) of the customer's first message and of "
        "their first message after the brand's first reply, and the share of conversations whose "
        "sentiment improved.",
        body,
        id="sentiment-chart",
    )
    return (
        head
        + f"<p>Mean sentiment of the customer's first message and of their first message after "
        f"the brand's reply (model: {_e(v.sentiment_model)}); improved = rose by more than "
        "0.05.</p>"
        + _legend(
            [
                ("ring", MUTED, "first message"),
                ("dot", GREEN, "after the reply (rose)"),
                ("dot", RED, "after the reply (fell)"),
            ]
        )
        + _figure(svg)
        + "</section>"
    )


def _table(headers: Sequence[tuple[str, bool]], rows: Iterable[Sequence[str]], **attrs) -> str:
    extra = "".join(f' {k.rstrip("_")}="{_e(val)}"' for k, val in attrs.items())
    num_cls = ' class="num"'
    head = "".join(f'<th scope="col"{num_cls if num else ""}>{_e(h)}</th>' for h, num in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{num_cls if num else ''}>{_e(cell)}</td>"
            for cell, (_h, num) in zip(row, headers, strict=False)
        )
        + "</tr>"
        for row in rows
    )
    return (
        f'<div class="scroll"><table class="compact"{extra}><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _waits(v: _View) -> str:
    waits = [w for w in _list(v.details.get("longest_waits")) if isinstance(w, dict)]
    unanswered = [w for w in _list(v.details.get("oldest_unanswered")) if isinstance(w, dict)]
    out = [
        '<section id="waits" aria-labelledby="h-waits"><h2 id="h-waits">Longest waits</h2>',
    ]
    if waits:
        out.append(
            "<p>The answered conversations whose customers waited longest for a first reply.</p>"
        )
        out.append(
            _table(
                [
                    ("Conversation", False),
                    ("Brand", False),
                    ("First message (UTC)", False),
                    ("Wait", True),
                    ("Customer messages before the reply", True),
                ],
                (
                    (
                        str(w.get("conversation", DASH)),
                        str(w.get("brand", DASH)),
                        fmt_time(w.get("first_inbound_ts")),
                        fmt_duration(w.get("wait_seconds")),
                        fmt_int(w.get("messages")),
                    )
                    for w in waits
                ),
                id="waits-table",
            )
        )
    else:
        out.append('<p class="muted">No answered customer-initiated conversation.</p>')
    out.append("<h3>Oldest unanswered</h3>")
    if unanswered:
        out.append(
            _table(
                [
                    ("Conversation", False),
                    ("Brand", False),
                    ("First message (UTC)", False),
                    ("Customer messages", True),
                ],
                (
                    (
                        str(w.get("conversation", DASH)),
                        str(w.get("brand", DASH)),
                        fmt_time(w.get("first_inbound_ts")),
                        fmt_int(w.get("messages")),
                    )
                    for w in unanswered
                ),
                id="unanswered-table",
            )
        )
    else:
        out.append(
            '<p class="muted">None: every customer-initiated conversation with a known brand '
            "got a reply.</p>"
        )
    out.append("</section>")
    return "".join(out)


def _rejected(v: _View) -> str:
    rows = _dict(v.report.get("rows"))
    rejections = [r for r in _list(rows.get("rejections")) if isinstance(r, dict)]
    total = int(_num(rows.get("rejected")) or 0)
    total = max(total, len(rejections))
    out = [
        '<section id="rejected" aria-labelledby="h-rejected">'
        '<h2 id="h-rejected">Rejected records</h2>'
    ]
    if not rejections:
        out.append(
            "<p>none</p>"
            if not total
            else f"<p>{total:,} records rejected; their details are not in this result.</p>"
        )
    else:
        shown = rejections[:MAX_REJECTIONS]
        out.append(
            f"<p>{total:,} record{'' if total == 1 else 's'} could not be used and "
            f"{'was' if total == 1 else 'were'} left out of every figure.</p>"
        )
        out.append(
            _table(
                [("Line", True), ("Reason", False)],
                ((_plain_int(r.get("line")), str(r.get("reason", ""))) for r in shown),
                id="rejected-table",
            ).replace("<td>", '<td class="reason">')
        )
        rest = total - len(shown)
        if rest > 0:
            out.append(f'<p class="muted">… and {rest:,} more not listed here.</p>')
    out.append("</section>")
    return "".join(out)


DEFINITIONS = (
    ("Conversation", "a reply-chain tree: a first message and every reply to it, transitively."),
    (
        "First response",
        "time from the customer's first message to the earliest brand message at or after it.",
    ),
    ("Response rate", "customer-initiated conversations with a brand response, over all of them."),
    ("Within target", "answered within the target ({target}), over customer-initiated ones."),
    ("Repeat contact", "the customer wrote 2+ times before the first reply (or ever, if none)."),
    (
        "Canned",
        "a reply with the same template as ≥2 other replies of the brand after removing handles, "
        "names, URLs, numbers, signatures and pleasantries.",
    ),
    ("Name use", "the reply addresses the customer by first name."),
    ("Signed", "the reply carries an agent's signature or initials (^JK, -Becky)."),
    ("Private handoff", "the reply moves the customer to DM, e-mail, phone or chat."),
    (
        "Sentiment",
        "compound score −1..1 of the customer's first message and of their first message after "
        "the reply.",
    ),
    ("Improved", "the after-reply score rose by more than 0.05."),
    ("Thanks", "the customer thanked after a reply (over answered conversations)."),
    ("Hour of week", "of the customer's first message, in UTC; Monday 00:00 first."),
)


def _definitions(v: _View) -> str:
    items = "".join(
        f"<dt>{_e(term)}</dt><dd>{_e(text.format(target=fmt_target(v.target)))}</dd>"
        for term, text in DEFINITIONS
    )
    return (
        '<section id="definitions" aria-labelledby="h-definitions">'
        '<h2 id="h-definitions">How these are measured</h2>'
        f'<dl class="defs">{items}</dl>'
        '<p class="note">Shares of replies are over the conversation brand\'s own replies; '
        "shares are “–” when nothing could be measured.</p></section>"
    )


def _footer(v: _View) -> str:
    seconds = _num(v.details.get("seconds"))
    cycles = _num(v.details.get("cycles_cut"))
    bits = ["Generated by beancan"]
    if seconds is not None:
        bits.append(f"audit took {seconds:.1f} s")
    if cycles:
        bits.append(f"{int(cycles):,} reply cycles cut")
    bits.append("self-contained: no network access needed")
    return f"<footer>{_e(' · '.join(bits))}</footer>"


# --- API ----------------------------------------------------------------------------------------


def render_html(result: AuditResult) -> str:
    """The whole report as one self-contained HTML document."""
    v = _View(result)
    ids = _Ids()
    name = _source_name(v.report.get("source"))
    parts = [
        _header(v),
        _headline(v),
        _expectations(v, ids),
        _brand_table(v),
        _distribution(v, ids),
        _heatmap(v, ids),
        _repeats(v, ids),
        _personal(v, ids),
        _sentiment(v, ids),
        _waits(v),
        _rejected(v),
        _definitions(v),
        _footer(v),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="beancan">\n'
        f"<title>beancan audit — {_e(name)}</title>\n"
        f"<style>{CSS}</style>\n</head>\n<body>\n<main>\n" + "\n".join(parts) + "\n</main>\n"
        "</body>\n</html>\n"
    )


def write_html(result: AuditResult, path: str | Path) -> Path:
    """Write the report to `path` (UTF-8) and return the path."""
    out = Path(path)
    if out.parent and not out.parent.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(result), encoding="utf-8")
    return out
