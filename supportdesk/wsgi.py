"""The desk as a WSGI application: what `supportdesk serve` runs."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.settings")
application = get_wsgi_application()

from supportdesk.lib.env import env_bool  # noqa: E402 - needs settings configured first

if env_bool("SUPPORTDESK_SERVE_STATIC", True):
    # The embedded desk serves its own static files (admin CSS, the
    # workspace's); at scale set SUPPORTDESK_SERVE_STATIC=false and let the
    # proxy serve `supportdesk collectstatic` output.
    from django.contrib.staticfiles.handlers import StaticFilesHandler

    application = StaticFilesHandler(application)

from supportdesk.lib.settle import settle  # noqa: E402

settle()
