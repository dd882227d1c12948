from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "beancan.inbox"
    label = "inbox"
