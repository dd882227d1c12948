from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "beancan.workspaces"
    label = "workspaces"
