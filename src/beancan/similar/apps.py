from django.apps import AppConfig


class SimilarConfig(AppConfig):
    name = "beancan.similar"
    label = "similar"
