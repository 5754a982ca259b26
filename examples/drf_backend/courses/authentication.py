"""Bearer tokens: DRF's TokenAuthentication with the `Bearer` keyword and our token model."""

from __future__ import annotations

from rest_framework.authentication import TokenAuthentication

from courses.models import BearerToken


class BearerTokenAuthentication(TokenAuthentication):
    """`Authorization: Bearer <key>`; its 401s say `WWW-Authenticate: Bearer` (www-authenticate)."""

    keyword = "Bearer"
    model = BearerToken
