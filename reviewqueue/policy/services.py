"""Publishing routing policy versions. (Fitting a calibrator from reviewer labels, which reads
the labels, is `reviewqueue.calibration.fitting`.)"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from reviewqueue.errors import InvalidInput
from reviewqueue.policy.models import RoutingPolicyVersion
from reviewqueue.policy.signals import policy_published
from reviewqueue.tenancy.models import Tenant
from scoring.errors import ConfigurationError
from scoring.policy import RoutingPolicy

logger = logging.getLogger(__name__)


def policy_from_config(config: Any) -> RoutingPolicy:
    """The `RoutingPolicy` in `config`, or InvalidInput saying what is wrong with it."""
    if not isinstance(config, dict):
        raise InvalidInput("The policy must be a JSON object.")
    try:
        return RoutingPolicy.from_dict(config)
    except (ConfigurationError, TypeError, ValueError, AttributeError) as exc:
        raise InvalidInput(f"Invalid routing policy: {exc}") from None


def policy_parse(*, tenant: Tenant, config: Any) -> RoutingPolicy:
    """The policy in `config`, checked as every publish path checks it: a valid `RoutingPolicy`
    with a version the tenant has not used."""
    policy = policy_from_config(config)
    if RoutingPolicyVersion.objects.filter(tenant=tenant, version=policy.version).exists():
        raise InvalidInput(f"Policy version {policy.version!r} already exists; publish a new version.")
    return policy


def policy_publish(
    *, tenant: Tenant, config: dict[str, Any], now: datetime, actor: User | None = None, note: str = ""
) -> RoutingPolicyVersion:
    with transaction.atomic():
        policy = policy_parse(tenant=tenant, config=config)
        RoutingPolicyVersion.objects.filter(tenant=tenant, is_active=True).update(is_active=False)
        row = RoutingPolicyVersion.objects.create(
            tenant=tenant,
            version=policy.version,
            config=policy.to_dict(),
            is_active=True,
            created_by=actor,
            note=note,
            created_at=now,
        )
        # A new live policy: the golden set reruns (after commit, on a worker: `golden.receivers`).
        policy_published.send(sender=RoutingPolicyVersion, tenant_id=tenant.pk)
        return row
