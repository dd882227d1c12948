"""The surveys page (supervisors and admins): CSAT, NPS, response rate, the distribution of
scores as an inline SVG bar chart, and the latest answers."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from beancan.surveys.selectors import policy_for, survey_summary
from beancan.workspaces.actors import Actor

PERIODS = {"7": 7, "30": 30, "90": 90, "all": None}


def _chart(kind: str, distribution: list[tuple[int, int]]) -> str:
    """Bars of how many answers gave each score, lowest score first; empty without answers."""
    top = max((n for _, n in distribution), default=0)
    if not top:
        return ""
    bar, gap, height = 26, 6, 120
    width = len(distribution) * (bar + gap) + 10
    parts = [
        format_html(
            '<svg role="img" aria-label="{}" width="{}" height="{}" viewBox="0 0 {} {}" '
            'class="chart" data-chart="{}">',
            f"{kind.upper()} answers per score",
            width,
            height + 30,
            width,
            height + 30,
            kind,
        )
    ]
    for i, (score, n) in enumerate(distribution):
        h = round(height * n / top)
        x = 5 + i * (bar + gap)
        good = score >= 9 if kind == "nps" else score >= 4
        bad = score <= 6 if kind == "nps" else score <= 2
        color = "#16a34a" if good else "#dc2626" if bad else "#94a3b8"
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" data-score="{}" '
                'data-count="{}"><title>{}: {} answer(s)</title></rect>'
                '<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="#1f2937">{}</text>',
                x,
                height - h,
                bar,
                h,
                color,
                score,
                n,
                score,
                n,
                x + bar // 2,
                height + 14,
                score,
            )
        )
    parts.append("</svg>")
    return mark_safe("".join(str(p) for p in parts))  # every value went through format_html


@login_required
def surveys_page(request, workspace: str):
    actor = Actor.member_of(request.user, workspace)
    if actor is None:
        raise Http404("no such workspace")
    actor.require("manage")
    period = request.GET.get("days", "30")
    if period not in PERIODS:
        raise Http404("no such period")
    days = PERIODS[period]
    since = timezone.now() - timedelta(days=days) if days else None
    summary = survey_summary(actor, since=since)
    kinds = [
        {"kind": k, **v, "chart": _chart(k, v["distribution"])} for k, v in summary["kinds"].items()
    ]
    return render(
        request,
        "surveys/page.html",
        {
            "workspace": actor.workspace,
            "actor": actor,
            "kinds": kinds,
            "latest": summary["latest"],
            "period": period,
            "periods": list(PERIODS),
            "policy": policy_for(actor.workspace),
            "is_admin": actor.can("admin"),
        },
    )
