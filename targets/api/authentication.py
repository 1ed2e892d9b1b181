"""``Authorization: Bearer up_…``: a personal API token (``tokens``) lets its user in.

Refused (401) when unknown, revoked, expired, its user deactivated (checked on every
request: a deactivated user's tokens stop at once) or the address is outside the token's
allowed ranges. The client's address is the connection's, or with ``PROXY_COUNT``
proxies in front, the one they saw (as the log-in throttling reads it).
"""

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .tokens import token_for_secret


def client_address(request):
    """The client's IP address: REMOTE_ADDR, or behind ``PROXY_COUNT`` trusted proxies the
    address the outermost of them received the request from."""
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", None) or 0
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Send the token as: Authorization: Bearer <token>."))
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("This token is not valid.")) from None
        token = token_for_secret(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(_("This token is not valid, has expired or was revoked."))
        if not token.allows(client_address(request)):
            raise exceptions.AuthenticationFailed(_("This token may not be used from this address."))
        token.note_use()
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "targets.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "up_…"}
