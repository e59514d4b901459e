"""The schema generator: drf-spectacular's, told which one authentication each operation accepts.

Every view authenticates with both DRF classes (an API key or the session) and then lets in one
kind of caller by its permission: `IsService` only a service's API key, `IsReviewer` only a
signed-in reviewer's session, `IsServiceOrSignedIn` either (the label export). The schema
says the same, so a generated client offers the credentials that work, not one that is always
refused."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema

from reviewqueue.api.permissions import IsReviewer, IsService, IsServiceOrSignedIn

# The security schemes each permission accepts (ApiKeyScheme's name; drf-spectacular's own name
# for DRF's SessionAuthentication).
_ACCEPTS = {
    IsService: {"ApiKey"},
    IsReviewer: {"cookieAuth"},
    IsServiceOrSignedIn: {"ApiKey", "cookieAuth"},
}


class ReviewqueueAutoSchema(AutoSchema):
    def get_auth(self) -> list[dict[str, Any]]:
        auths: list[dict[str, Any]] = super().get_auth()  # also registers the schemes' definitions
        permissions = [p for p in _ACCEPTS if p in self.view.permission_classes]
        accepted = {name for permission in permissions for name in _ACCEPTS[permission]}
        if not accepted:
            return auths
        return [auth for auth in auths if set(auth) <= accepted]
