"""URLs: the API, realtime events, accounts and the admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.staticfiles.views import serve as static_serve
from django.urls import include, path, re_path

from beancan.api.routes import api_urls, hook_urls
from beancan.realtime.views import events
from beancan.workspaces.views import home

urlpatterns = [
    path("", home, name="home"),
    path("admin/", admin.site.urls),
    path("api/", api_urls),
    path("hooks/", include(hook_urls)),
    path("w/<slug:workspace>/admin/", include("beancan.workspaces.admin_urls")),
    path("w/<slug:workspace>/triage/", include("beancan.learning.urls")),
    path("w/<slug:workspace>/surveys/", include("beancan.surveys.urls")),
    path("w/<slug:workspace>/similar/", include("beancan.similar.urls")),
    path("w/", include("beancan.inbox.urls")),
    # The embedded server serves the app's static files itself; behind a proxy, collectstatic.
    re_path(r"^static/(?P<path>.*)$", static_serve, {"insecure": True}),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("realtime/<slug:workspace>/events", events, name="realtime-events"),
]
