"""The ASGI application `beancan serve` runs."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beancan.server.settings")
application = get_asgi_application()
