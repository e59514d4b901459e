"""The reviewer's own settings for the browser UI."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ReviewerPreferences(models.Model):
    """One row per reviewer who changed a setting; a reviewer without a row has the defaults."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # After approve, edit & send, reject or escalate: claim the next item and show it, with a
    # one-line summary of what was just done (default on). Off: back to My queues.
    auto_advance = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"preferences of user {self.user_id}"

    @staticmethod
    def auto_advance_for(user_id: int) -> bool:
        value = ReviewerPreferences.objects.filter(user_id=user_id).values_list("auto_advance", flat=True).first()
        return True if value is None else value
