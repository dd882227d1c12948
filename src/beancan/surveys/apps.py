from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "beancan.surveys"
    label = "surveys"
