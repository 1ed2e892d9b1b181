"""``Idempotency-Key``: a retried write answers what the first one answered.

The first answer to a key (per user) is kept with a hash of what was asked (method, path,
query, body); the same key with the same request gets that answer again, without writing
twice; the same key with another request is refused (422). Keys are kept a day.
"""

import datetime
import hashlib

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy

from unionplan import clock

KEPT_FOR = datetime.timedelta(hours=24)
MAX_KEY_LENGTH = 200


class IdempotentAnswer(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=MAX_KEY_LENGTH)
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        app_label = "targets"
        verbose_name = gettext_lazy("idempotent answer")
        verbose_name_plural = gettext_lazy("idempotent answers")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_answer_per_user_key")]

    def __str__(self):
        return self.key


def request_hash(request, body):
    digest = hashlib.sha256()
    for part in (request.method, request.path, request.META.get("QUERY_STRING", "")):
        digest.update(part.encode("utf-8") + b"\0")
    digest.update(body)
    return digest.hexdigest()


def claim(*, user, key, hash_):
    """Inside the write's transaction: the answer kept for ``key`` when there is one (the
    caller answers it, or 422 when its ``request_hash`` differs); else None, the key now
    held by this request (a concurrent request with the same key waits for it to commit,
    then gets its answer). Keys older than a day are forgotten."""
    IdempotentAnswer.objects.filter(user=user, key=key, created_at__lte=clock.now() - KEPT_FOR).delete()
    try:
        with transaction.atomic():
            IdempotentAnswer.objects.create(
                user=user, key=key, request_hash=hash_, status=0, body={}, created_at=clock.now()
            )
    except IntegrityError:
        return IdempotentAnswer.objects.get(user=user, key=key)
    return None


def settle(*, user, key, status, body):
    """Keep the answer given to the request that holds ``key``."""
    IdempotentAnswer.objects.filter(user=user, key=key).update(status=status, body=body)
