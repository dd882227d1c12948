"""URLs of the API (under /api/) and the webhook channel (under /hooks/)."""

from django.urls import path

from beancan.api.hooks import webhook
from beancan.api.service import api

api_urls = api.urls
hook_urls = [path("<int:channel_id>", webhook, name="webhook")]
