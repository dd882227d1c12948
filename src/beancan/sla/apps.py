from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "beancan.sla"
    label = "sla"
