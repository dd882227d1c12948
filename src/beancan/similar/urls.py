from django.urls import path

from beancan.similar import views

urlpatterns = [
    path("<int:pk>", views.panel, name="similar-panel"),
]
