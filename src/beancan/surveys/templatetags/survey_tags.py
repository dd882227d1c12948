"""Showing survey metrics: CSAT as a percentage, NPS as a signed whole number."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def percent(value) -> str:
    """0.756 → "76%"; None → "—"."""
    return "—" if value is None else f"{round(100 * value)}%"


@register.filter
def signed(value) -> str:
    """NPS 33.3 → "+33"; None → "—"."""
    return "—" if value is None else f"{round(value):+d}"
