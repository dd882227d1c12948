from django.urls import path

from beancan.inbox import views

urlpatterns = [
    path("<slug:workspace>/", views.inbox, name="inbox"),
    path("<slug:workspace>/bulk", views.bulk, name="inbox-bulk"),
    path("<slug:workspace>/presence", views.presence, name="presence"),
    path("<slug:workspace>/mentions", views.mentions, name="mentions"),
    path("<slug:workspace>/views", views.save_view, name="save-view"),
    path("<slug:workspace>/c/<int:pk>/", views.conversation, name="conversation"),
    path("<slug:workspace>/c/<int:pk>/check", views.check, name="conversation-check"),
    path("<slug:workspace>/c/<int:pk>/heartbeat", views.heartbeat, name="conversation-heartbeat"),
    path("<slug:workspace>/c/<int:pk>/<slug:verb>", views.act, name="conversation-act"),
]
