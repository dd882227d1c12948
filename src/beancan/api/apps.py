from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "beancan.api"
    label = "api"
