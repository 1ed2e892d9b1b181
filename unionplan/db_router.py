"""Read replica routing, switched on by DATABASE_REPLICA_URL.

Page reads go to the replica, writes to the primary. A user who has just written (any
POST) reads from the primary for REPLICA_PIN_SECONDS afterwards, so that an officer who
approves a report sees it on the very next page load even if the replica lags a little.
"""

import threading
import time

from django.conf import settings

_state = threading.local()
PIN_COOKIE = "up_primary_until"


def use_primary():
    return getattr(_state, "primary", False)


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        if "replica" in settings.DATABASES and not use_primary():
            return "replica"
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class PinToPrimaryAfterWriteMiddleware:
    """Reads go to the primary during a POST and for a while after it (a cookie)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        writing = request.method not in ("GET", "HEAD", "OPTIONS")
        try:
            pinned_until = float(request.COOKIES.get(PIN_COOKIE, 0))
        except ValueError:
            pinned_until = 0
        _state.primary = writing or pinned_until > time.time()
        try:
            response = self.get_response(request)
        finally:
            _state.primary = False
        if writing and "replica" in settings.DATABASES:
            seconds = settings.REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                str(time.time() + seconds),
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=not settings.DEBUG,
            )
        return response
