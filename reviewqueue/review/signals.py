"""What the review package announces to the packages built on it, so that they depend on review
and not the other way round (the LLM judge reviews the audit sample; review knows nothing of it).
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent after the commit that drew a sent draft into the blind audit sample, with `draft_id`
# and `item_id` (the audit item). Receivers must not raise: the draft is already sent.
draft_audit_sampled = Signal()

# Sent inside the transaction of a first review's submit (`review_item_submit`), with `item`
# (resolved, locked) and `now`. Receivers run synchronously in that transaction, so what they
# write commits or rolls back with the submit (double review opens its sampled second review).
review_item_submitted = Signal()
