"""Input shapes of the ops pages. Types and sizes here; what is allowed (an escalation queue of
the same tenant, the escalate fallback needing one) is the model's `clean`, run by the service."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth.models import Group
from django.db.models import Q

from reviewqueue.review.models import FallbackAction, Queue

REASON = re.compile(r"^[a-z0-9_]{1,64}$")


class QueueSettingsForm(forms.Form):
    title = forms.CharField(max_length=200, required=False)
    sla_minutes = forms.IntegerField(
        min_value=1,
        max_value=7 * 24 * 60,
        label="SLA (minutes)",
        help_text="A new SLA applies to items opened from now.",
    )
    lease_seconds = forms.IntegerField(min_value=5, max_value=24 * 3600, label="Lease (seconds)")
    reviewer_group = forms.ModelChoiceField(queryset=Group.objects.none(), label="Reviewer group")
    fallback_action = forms.ChoiceField(choices=FallbackAction.choices, label="When the SLA passes")
    fallback_text = forms.CharField(max_length=5_000, widget=forms.Textarea(attrs={"rows": 3}), label="Fallback answer")
    follow_up_on_block = forms.BooleanField(
        required=False,
        label="The fallback answer promises a follow-up",
        help_text="When on, a blocked draft (its customer got the fallback) opens a follow-up review item in this "
        "queue, so someone answers properly; when off, the block is the whole answer and the service is told so.",
    )
    escalation_queue = forms.ModelChoiceField(queryset=Queue.objects.none(), required=False, label="Escalation queue")
    reject_reasons = forms.CharField(
        max_length=2_000,
        required=False,
        label="Reject reason codes",
        help_text="One per line: lower case letters, digits and underscores.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    business_value = forms.FloatField(min_value=0, max_value=1000, label="Business value (priority weight)")
    audit_share = forms.FloatField(
        min_value=0,
        max_value=1,
        required=False,
        label="Audit share",
        help_text="Share (0–1) of drafts sent as written without a full review (auto-sent, or drafted and "
        "approved) copied into a blind audit review. It measures the escape rate; 0 turns auditing off.",
    )
    audit_queue = forms.ModelChoiceField(
        queryset=Queue.objects.none(), required=False, label="Audit queue", help_text="Empty: this queue."
    )
    guidelines = forms.CharField(
        max_length=20_000,
        required=False,
        strip=False,
        label="Guidelines for reviewers (Markdown)",
        help_text="Shown beside the draft on every review page of this queue. Markdown: headings, lists, emphasis, "
        "code and links; raw HTML and images are not rendered.",
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(self, *args: Any, queue: Queue, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = queue
        tenant_queues = Queue.objects.filter(tenant_id=queue.tenant_id)
        # The groups already used by this tenant's queues, or held by its members.
        self.fields["reviewer_group"].queryset = (  # type: ignore[attr-defined]
            Group.objects.filter(
                Q(review_queues__tenant_id=queue.tenant_id) | Q(user__memberships__tenant_id=queue.tenant_id)
            )
            .distinct()
            .order_by("name")
        )
        self.fields["escalation_queue"].queryset = tenant_queues.exclude(pk=queue.pk).order_by("name")  # type: ignore[attr-defined]
        self.fields["audit_queue"].queryset = tenant_queues.order_by("name")  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, queue: Queue) -> dict[str, Any]:
        return {
            "title": queue.title,
            "sla_minutes": queue.sla_minutes,
            "lease_seconds": queue.lease_seconds,
            "reviewer_group": queue.reviewer_group_id,
            "fallback_action": queue.fallback_action,
            "fallback_text": queue.fallback_text,
            "escalation_queue": queue.escalation_queue_id,
            "reject_reasons": "\n".join(queue.reject_reasons),
            "business_value": queue.business_value,
            "audit_share": queue.audit_share,
            "audit_queue": queue.audit_queue_id,
            "follow_up_on_block": queue.follow_up_on_block,
            "guidelines": queue.guidelines,
        }

    def clean_audit_share(self) -> float:
        value = self.cleaned_data["audit_share"]
        return 0.0 if value is None else float(value)

    def clean_reject_reasons(self) -> list[str]:
        codes = [line.strip() for line in self.cleaned_data["reject_reasons"].splitlines() if line.strip()]
        bad = [c for c in codes if not REASON.match(c)]
        if bad:
            raise forms.ValidationError(f"Not a reason code: {', '.join(bad)}.")
        return list(dict.fromkeys(codes))


class FloorFilter(forms.Form):
    """The floor's claimed-items list, in the URL (`?queue=&page=`) so the live refresh, a
    force-release and a shared link all come back to the same page of the same list."""

    queue = forms.IntegerField(min_value=1, max_value=2**31 - 1, required=False)
    page = forms.IntegerField(min_value=1, max_value=1_000_000, required=False)
