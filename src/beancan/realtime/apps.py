from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "beancan.realtime"
    label = "realtime"
