from django import template
from django.template.defaultfilters import truncatechars

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.filter
def make_list_words(value: str) -> list[str]:
    return value.split()


@register.filter
def trend_y(value: float) -> float:
    """A sentiment score (-1..1) as the y of a 60-pixel-high chart (positive up)."""
    return round(30 - 26 * max(-1.0, min(1.0, float(value))), 1)


@register.filter
def is_http(url: str) -> bool:
    """Only http(s) links from a network profile are made clickable (never javascript:)."""
    return str(url or "").lower().startswith(("http://", "https://"))


@register.filter
def snippet(value: str, length: int) -> str:
    """truncatechars, without its character walk for the (usual) text that already fits."""
    return value if len(value) <= length else truncatechars(value, length)


@register.filter
def queue_count(value: int | None) -> str:
    """A queue's count as the page shows it: exact up to the cap, then "1,000+"."""
    from beancan.inbox.selectors import COUNT_CAP

    if value is None:
        return ""
    return f"{COUNT_CAP:,}+" if value > COUNT_CAP else str(value)
