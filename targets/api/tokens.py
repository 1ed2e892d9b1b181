"""Personal API tokens: a user's key to the API, shown once, stored as a hash.

A secret reads ``up_`` followed by 40 random characters; only its SHA-256 is kept (a
secret of 240 random bits needs no slow hash) with its last four characters, to tell the
tokens apart in a list. A token expires (90 days unless asked, a year at most), may be
read-only or read-write and limited to IP ranges; it stops when revoked, expired, or when
its user is deactivated. Writes: ``token_create`` and ``token_revoke``.
"""

import datetime
import hashlib
import ipaddress
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unionplan import clock

PREFIX = "up_"
DEFAULT_DAYS = 90
MAX_DAYS = 365
# ``last_used_at`` is written at most this often per token (a busy script does not write on every call).
LAST_USED_EVERY = datetime.timedelta(minutes=1)


def secret_hash(secret):
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def parse_networks(text):
    """The allowed IP ranges typed by the user ("10.0.0.0/8, 203.0.113.7"), one per line or
    comma, as a normalised text; raises ValidationError naming a range that is not one."""
    networks = []
    for part in (text or "").replace(",", "\n").split():
        try:
            networks.append(str(ipaddress.ip_network(part.strip(), strict=False)))
        except ValueError:
            raise ValidationError(
                gettext_lazy("“%(value)s” is not an IP address or range (e.g. 203.0.113.0/24)."),
                params={"value": part},
                code="network",
            ) from None
    return "\n".join(networks)


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        """Tokens not revoked, not expired, of an active user."""
        now = now or clock.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(gettext_lazy("name"), max_length=100)
    secret_hash = models.CharField(gettext_lazy("secret (SHA-256)"), max_length=64, unique=True, editable=False)
    last_four = models.CharField(gettext_lazy("last four characters"), max_length=4, editable=False)
    can_write = models.BooleanField(gettext_lazy("may write"), default=False)
    allowed_networks = models.TextField(
        gettext_lazy("allowed IP ranges"),
        blank=True,
        help_text=gettext_lazy("One per line (203.0.113.0/24); empty: any address."),
    )
    created_at = models.DateTimeField(gettext_lazy("created at"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(gettext_lazy("expires at"))
    last_used_at = models.DateTimeField(gettext_lazy("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(gettext_lazy("revoked at"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        app_label = "targets"
        verbose_name = gettext_lazy("API token")
        verbose_name_plural = gettext_lazy("API tokens")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")), name="api_token_expires_later"),
        ]

    def __str__(self):
        return f"{self.name} (…{self.last_four})"

    @property
    def is_revoked(self):
        return self.revoked_at is not None

    def is_expired(self, now=None):
        return self.expires_at <= (now or clock.now())

    def networks(self):
        return [ipaddress.ip_network(n) for n in self.allowed_networks.split()]

    def allows(self, address):
        """Whether a request from ``address`` may use the token."""
        networks = self.networks()
        if not networks:
            return True
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in networks)

    def note_use(self, now=None):
        """Record the use, at most once a minute (one UPDATE only when the last is older)."""
        now = now or clock.now()
        if self.last_used_at is not None and now - self.last_used_at < LAST_USED_EVERY:
            return
        ApiToken.objects.filter(pk=self.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_EVERY)
        ).update(last_used_at=now)
        self.last_used_at = now


def token_create(*, user, name, days=DEFAULT_DAYS, can_write=False, allowed_networks=""):
    """A new token for ``user``: returns (token, secret). The secret is never stored and
    cannot be shown again."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Give the token a name."))
    if not 1 <= int(days) <= MAX_DAYS:
        raise ValidationError(_("A token lasts from 1 to %(max)s days.") % {"max": MAX_DAYS})
    if not user.is_active:
        raise ValidationError(_("This user is deactivated."))
    secret = PREFIX + secrets.token_urlsafe(30)
    now = clock.now()
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        secret_hash=secret_hash(secret),
        last_four=secret[-4:],
        can_write=bool(can_write),
        allowed_networks=parse_networks(allowed_networks),
        created_at=now,
        expires_at=now + datetime.timedelta(days=int(days)),
    )
    return token, secret


def token_revoke(*, token, by):
    """Revoke ``token`` (its owner or an admin); revoking twice changes nothing."""
    if by.pk != token.user_id and not by.is_superuser:
        raise PermissionDenied
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=clock.now(), revoked_by=by)
    token.refresh_from_db()
    return token


def token_for_secret(secret):
    """The usable token whose secret is ``secret``, or None."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    return (
        ApiToken.objects.usable()
        .select_related("user", "user__organisation")
        .filter(secret_hash=secret_hash(secret))
        .first()
    )
