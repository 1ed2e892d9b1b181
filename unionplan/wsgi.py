import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionplan.settings")
application = get_wsgi_application()

# What the worker loaded to start (Django, the apps, their modules) lives as long as the
# process: moved out of the garbage collector's sight, so that a full collection walks only
# what requests left behind. At the national size one full collection in the middle of a
# dashboard cost 88 of its 234 ms; with the start-up objects frozen it is gone from the
# slowest requests (docs/benchmarks.md). A forked worker also keeps sharing those pages.
gc.freeze()
