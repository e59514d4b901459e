"""This app's answers to other packages' signals."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from reviewqueue.golden.dispatch import golden_check_soon
from reviewqueue.policy.signals import policy_published


@receiver(policy_published)
def check_the_new_policy(*, tenant_id: int, **kwargs: Any) -> None:
    """A new live policy: rerun the golden set (after the publish commits, on a worker)."""
    golden_check_soon(tenant_id=tenant_id)
