"""The workspace's SLA policy as the pure clock of beancan.care.sla needs it."""

from __future__ import annotations

from datetime import datetime

from beancan.care.sla import BusinessHours
from beancan.sla.models import SlaPolicy


class WorkspaceSla:
    """Targets and business hours of one workspace's default policy (24/7, 1 h if none)."""

    def __init__(self, policy: SlaPolicy | None):
        self.policy = policy
        if policy is None:
            self.hours = BusinessHours()
            self.first = {"urgent": 900, "high": 1800, "normal": 3600, "low": 14400}
            self.next = dict(self.first)
        else:
            self.hours = BusinessHours.from_config(
                policy.timezone,
                policy.business_hours,
                [h.date for h in policy.holidays.all()],
            )
            self.first, self.next = policy.first_response, policy.next_response

    @classmethod
    def for_workspace(cls, workspace_id: int) -> WorkspaceSla:
        policy = (
            SlaPolicy.objects.filter(workspace_id=workspace_id, is_default=True)
            .prefetch_related("holidays")
            .first()
        )
        return cls(policy)

    def due(self, waiting_since: datetime, priority: str, answered: bool) -> datetime | None:
        """When the reply is due for a customer waiting since `waiting_since`."""
        target = (self.next if answered else self.first).get(priority)
        if target is None:
            return None
        return self.hours.add(waiting_since, float(target))
