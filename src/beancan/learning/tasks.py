"""Background tasks of learning: thin, they take ids."""

from __future__ import annotations

from django_tasks import task

from beancan.workspaces.models import Workspace


@task()
def refit_workspace(workspace_id: int) -> str:
    from beancan.learning.actions import model_refit

    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return "gone"
    version = model_refit(workspace)
    return version.name if version else "no corrections"
