from django.urls import path

from beancan.workspaces import admin_views

urlpatterns = [
    path("", admin_views.admin_page, name="workspace-admin"),
    path("<slug:what>", admin_views.admin_post, name="workspace-admin-post"),
]
