"""A read-only token reads; only a read-write token (or the page's session) writes."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from .tokens import ApiToken


class WritesNeedAWriteToken(permissions.BasePermission):
    message = _("This token is read-only: create a read-write token to change reports.")

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        token = request.auth
        return not isinstance(token, ApiToken) or token.can_write
