from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "beancan.learning"
    label = "learning"
