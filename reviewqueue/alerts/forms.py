"""The alert rule form: types and sizes per field here; what depends on several fields (the
threshold's range for the figure, a queue only for queue figures, a public webhook target) is
the model's `clean`, run by the service, whose errors the view shows on their fields."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django import forms

from reviewqueue.alerts.models import (
    COOLDOWN_MAX_MINUTES,
    EMAILS_MAX,
    THRESHOLD_MAX,
    WINDOW_MAX_MINUTES,
    AlertKind,
    AlertRule,
    WebhookFormat,
)
from reviewqueue.review.models import Queue
from reviewqueue.tenancy.models import Tenant

_SEPARATORS = re.compile(r"[\s,;]+")


class AlertRuleForm(forms.Form):
    tenant = forms.ModelChoiceField(queryset=Tenant.objects.none(), label="Tenant")
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=AlertKind.choices, label="Figure")
    queue = forms.ModelChoiceField(
        queryset=Queue.objects.none(),
        required=False,
        label="Queue",
        help_text="Breaches, at risk, depth and oldest age only; empty: all the tenant's queues together "
        "(oldest age: the oldest of them).",
    )
    # FloatField refuses NaN and ±infinity ("Enter a number.").
    threshold = forms.FloatField(
        min_value=0,
        max_value=THRESHOLD_MAX,
        help_text="Fires when the figure reaches this value: items, minutes (oldest age), PSI (drift) or % "
        "(scoring failures).",
    )
    window_minutes = forms.IntegerField(
        min_value=1,
        max_value=WINDOW_MAX_MINUTES,
        initial=60,
        label="Window (minutes)",
        help_text="Breaches, drift and scoring failures are counted over the last this many minutes.",
    )
    cooldown_minutes = forms.IntegerField(
        min_value=0,
        max_value=COOLDOWN_MAX_MINUTES,
        initial=30,
        label="Cool-down (minutes)",
        help_text="After a fire, a new episode is not announced until this long has passed.",
    )
    enabled = forms.BooleanField(required=False, initial=True)
    webhook_url = forms.URLField(
        required=False,
        assume_scheme="https",
        max_length=200,
        label="Webhook URL",
        help_text="Signed like service webhooks (X-Reviewqueue-Signature); public addresses only.",
    )
    webhook_format = forms.ChoiceField(choices=WebhookFormat.choices, label="Webhook payload")
    email_to = forms.CharField(
        required=False,
        max_length=4_000,
        label="E-mail to",
        help_text=f"Up to {EMAILS_MAX} addresses, one per line or separated by commas.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, tenant_ids: Sequence[int], rule: AlertRule | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tenant"].queryset = Tenant.objects.filter(pk__in=tenant_ids).order_by("name")  # type: ignore[attr-defined]
        queue_field = self.fields["queue"]
        assert isinstance(queue_field, forms.ModelChoiceField)
        queue_field.queryset = (
            Queue.objects.filter(tenant_id__in=tenant_ids).select_related("tenant").order_by("tenant__slug", "name")
        )
        many = len(tenant_ids) > 1
        queue_field.label_from_instance = lambda q: (  # type: ignore[method-assign,assignment]
            f"{q.tenant.name} · {q.title or q.name}" if many else (q.title or q.name)
        )
        if rule is not None:
            # A rule stays in its tenant.
            del self.fields["tenant"]
        elif len(tenant_ids) == 1:
            self.fields["tenant"].initial = tenant_ids[0]
            self.fields["tenant"].widget = forms.HiddenInput()

    @classmethod
    def initial_for(cls, rule: AlertRule) -> dict[str, Any]:
        return {
            "name": rule.name,
            "kind": rule.kind,
            "queue": rule.queue_id,
            "threshold": rule.threshold,
            "window_minutes": rule.window_minutes,
            "cooldown_minutes": rule.cooldown_minutes,
            "enabled": rule.enabled,
            "webhook_url": rule.webhook_url,
            "webhook_format": rule.webhook_format,
            "email_to": "\n".join(rule.email_to),
        }

    def clean_email_to(self) -> list[str]:
        addresses = [a for a in _SEPARATORS.split(self.cleaned_data["email_to"]) if a]
        # Each address is checked by the model (one rule for every path in).
        return list(dict.fromkeys(addresses))

    def values(self) -> dict[str, Any]:
        """The rule settings, without the tenant (which says where, not what)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "tenant"}
