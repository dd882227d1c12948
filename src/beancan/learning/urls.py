from django.urls import path

from beancan.learning import views

urlpatterns = [
    path("", views.triage_page, name="triage"),
    path("correct/<int:message_id>", views.correct, name="triage-correct"),
    path("<slug:what>", views.triage_post, name="triage-post"),
]
