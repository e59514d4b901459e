"""What the policy package announces to the packages built on it, so that they depend on policy
and not the other way round (the golden set reruns on a new live policy; policy knows nothing of it).
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the publish transaction of a new active routing policy, with `tenant_id`.
# Receivers run synchronously in that transaction: anything they start must wait for its commit.
policy_published = Signal()
