"""The schema generator: drf-spectacular's, told which one authentication each operation accepts.

Every view authenticates with both DRF classes (an API key or the session) and then lets in one
kind of caller by its permission: `IsService` only a service's API key, `IsReviewer` only a
signed-in reviewer's session. The schema says the same, so a generated client offers the one
credential that works, not two of which one is always refused."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema

from reviewqueue.api.permissions import IsReviewer, IsService

# The security scheme each permission accepts (ApiKeyScheme's name; drf-spectacular's own name for
# DRF's SessionAuthentication).
_ACCEPTS = {IsService: "ApiKey", IsReviewer: "cookieAuth"}


class ReviewqueueAutoSchema(AutoSchema):
    def get_auth(self) -> list[dict[str, Any]]:
        auths: list[dict[str, Any]] = super().get_auth()  # also registers the schemes' definitions
        accepted = {name for permission, name in _ACCEPTS.items() if permission in self.view.permission_classes}
        if not accepted:
            return auths
        return [auth for auth in auths if set(auth) <= accepted]
