from django.urls import path

from beancan.surveys import views

urlpatterns = [path("", views.surveys_page, name="surveys")]
