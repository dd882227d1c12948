"""The inbox's repeated HTML, built in Python: queue rows, agents and the filters' options.

A queue page prints 100 rows of about 20 values each, a sidebar of every agent and three lists
of agents or tags. Through the template engine each value costs a variable lookup, a filter and
an autoescape call (about 40% of the page's CPU, see docs/decisions/0005-inbox-under-load.md).
Here each row is one f-string whose values pass through `escape`, so the output is the same
HTML, escaped the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from html import escape as _escape

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timeuntil

from beancan.inbox.templatetags.inbox_tags import snippet


def escape(value) -> str:
    """Django's `escape` (the same five characters replaced), without its lazy-string wrapper."""
    return _escape(str(value), quote=True)


def queue_rows(
    rows: Iterable, can_act: bool, url_of: Callable[[int], str], now: datetime
) -> SafeString:
    """The <tr> of each queue row (`selectors.QueueRow`), or the empty row. `url_of(pk)` is the
    conversation's URL; `now` is when the due times are counted from."""
    out: list[str] = []
    for c in rows:
        pk = int(c.pk)
        check = (
            f'<td><input type="checkbox" name="ids" value="{pk}" form="bulk" '
            f'aria-label="Select conversation {pk}" style="width:auto"></td>'
            if can_act
            else ""
        )
        urgency_class = "high" if c.urgency >= 70 else "mid" if c.urgency >= 40 else ""
        reasons = "; ".join(c.urgency_reasons or ()) or "nothing waiting"
        intent = f' <span class="meta">{escape(c.intent)}</span>' if c.intent else ""
        if c.contact_id:
            customer = " ".join([c.contact_name, *(f"@{h}" for h in c.handles)]) + " "
        else:
            customer = "—"
        latest = ""
        if c.latest:
            sentiment = c.latest["sentiment_label"]
            latest = (
                f'<span class="sentiment {escape(sentiment)}" '
                f'title="sentiment: {escape(sentiment or "not scored")}"></span>'
                f"{escape(snippet(c.latest['text'], 110))}"
            )
        due_at = c.first_response_due_at or c.next_response_due_at
        due = (
            f'<time datetime="{escape(timezone.localtime(due_at).isoformat())}" class="due">'
            f"{escape(timeuntil(due_at, now))}</time>"
            if due_at
            else "—"
        )
        assignee = c.assignee_username if c.assignee_id else "—"
        out.append(
            f'<tr data-conversation="{pk}">{check}'
            f'<td><span class="badge urg {urgency_class}" title="{escape(reasons)}">'
            f"{int(c.urgency)}</span>{intent}</td>"
            f'<td class="who"><a href="{escape(url_of(pk))}">{escape(customer)}</a></td>'
            f'<td class="snippet">{latest}</td>'
            f"<td>{escape(c.brand)}</td><td>{due}</td>"
            f"<td>{escape(assignee)}</td><td>{escape(c.status)}</td></tr>"
        )
    if not out:
        out.append('<tr><td colspan="8">Nothing in this queue.</td></tr>')
    return mark_safe("\n".join(out))  # every value above is escaped


def agent_items(loads: Iterable) -> SafeString:
    """The sidebar's <li> per agent: presence, name, load and capacity."""
    return mark_safe(  # every value is escaped
        "".join(
            f'<li><span class="dot {escape(m.presence)}" aria-hidden="true"></span>'
            f"{escape(m.user.get_username())} "
            f'<span class="meta">{escape(m.presence)} · {int(m.load)}/{int(m.capacity)}</span></li>'
            for m in loads
        )
    )


def options(choices: Iterable, selected: str = "", by_value: bool = False) -> SafeString:
    """<option>s of (value, label) pairs or of plain labels; the one equal to `selected` (its
    value when `by_value`, else its label, as the form submits) is marked selected."""
    out: list[str] = []
    for choice in choices:
        value, label = choice if isinstance(choice, tuple) else (None, choice)
        key = str(value) if by_value else str(label)
        mark = " selected" if selected and key == selected else ""
        attr = f' value="{escape(value)}"' if value is not None and by_value else ""
        out.append(f"<option{attr}{mark}>{escape(label)}</option>")
    return mark_safe("".join(out))  # every value is escaped
