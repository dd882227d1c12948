"""Checks on a reply before it is sent: a personal touch, and not a copy of recent replies.
The same definitions as the audit's name-use and canned metrics (beancan.care.replies)."""

from __future__ import annotations

from collections.abc import Iterable

from beancan.care.replies import CANNED_MIN_WORDS, addressed_name, canned_key


def check_reply(text: str, recent_replies: Iterable[str]) -> list[str]:
    """Warnings for a draft reply (empty when it reads as personal and fresh)."""
    warnings = []
    if text.strip() and addressed_name(text) is None:
        warnings.append("No personal touch: the reply does not address the customer by name.")
    key = canned_key(text)
    if key and len(key.split()) >= CANNED_MIN_WORDS:
        same = sum(1 for other in recent_replies if canned_key(other) == key)
        if same:
            times = "once" if same == 1 else f"{same} times"
            warnings.append(f"Nearly identical to a recent reply ({times}): make it personal.")
    return warnings
