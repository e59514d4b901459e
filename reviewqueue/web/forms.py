"""Input shapes of the reviewer pages. They check types and sizes only; the services decide what
is allowed (reason codes, target queues, leases), so no rule lives in two places."""

from __future__ import annotations

import logging
import math
from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from reviewqueue.calibration.models import ClaimVerdict
from reviewqueue.limits import FailureLimit, locked_for

logger = logging.getLogger(__name__)


class ClaimNextForm(forms.Form):
    queue = forms.IntegerField(required=False, min_value=1)


class QueueItemsFilter(forms.Form):
    """The queue view's filters, all in the URL (a filtered list can be bookmarked and shared)."""

    AGES = {"15m": timedelta(minutes=15), "1h": timedelta(hours=1), "4h": timedelta(hours=4), "1d": timedelta(days=1)}

    state = forms.ChoiceField(
        choices=[
            ("open", "Open"),
            ("pending", "Waiting"),
            ("claimed", "In review"),
            ("resolved", "Resolved"),
            ("expired", "Expired"),
        ],
        required=False,
    )
    risk = forms.ChoiceField(
        choices=[("", "Any"), ("ok", "Within SLA"), ("warning", "Near breach"), ("breached", "Breached")],
        required=False,
        label="SLA risk",
    )
    intent = forms.CharField(max_length=100, required=False)
    age = forms.ChoiceField(
        choices=[
            ("", "Any age"),
            ("15m", "Older than 15 min"),
            ("1h", "Older than 1 h"),
            ("4h", "Older than 4 h"),
            ("1d", "Older than 1 day"),
        ],
        required=False,
    )
    preview = forms.IntegerField(min_value=1, required=False)

    def clean_state(self) -> str:
        return str(self.cleaned_data.get("state") or "open")

    def older_than(self) -> timedelta | None:
        return self.AGES.get(self.cleaned_data.get("age") or "")


class ClaimForm(forms.Form):
    # Where to go back to when the claim is refused (the queue view the reviewer clicked in).
    next = forms.CharField(max_length=2_000, required=False)


class EditForm(forms.Form):
    final_text = forms.CharField(max_length=50_000, strip=False, required=False)


class RejectForm(forms.Form):
    reason_code = forms.CharField(max_length=64, required=False)
    note = forms.CharField(max_length=5_000, required=False)


class EscalateForm(forms.Form):
    queue_id = forms.IntegerField(min_value=1, error_messages={"required": "Choose the queue to escalate to."})
    note = forms.CharField(max_length=5_000, error_messages={"required": "Say why you are escalating."})


class ClaimLabelForm(forms.Form):
    label = forms.ChoiceField(choices=ClaimVerdict.choices)


def first_error(form: forms.Form) -> str:
    for field, errors in form.errors.items():
        label = form.fields[field].label or field.replace("_", " ") if field in form.fields else ""
        message = errors[0]
        return f"{label.capitalize()}: {message}" if label and field != "__all__" else str(message)
    return "The form is not valid."


def _login_limits() -> tuple[FailureLimit, FailureLimit]:
    window = settings.REVIEWQUEUE_LOGIN_LOCKOUT_SECONDS
    return (
        FailureLimit("login-account", settings.REVIEWQUEUE_LOGIN_FAILURES_PER_ACCOUNT, window),
        FailureLimit("login-address", settings.REVIEWQUEUE_LOGIN_FAILURES_PER_ADDRESS, window),
    )


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's sign-in form with a lockout per account and per client address.

    A locked account or address is refused before the password is hashed, so a stream of
    guesses costs no hashing and cannot slow the site for everyone. An unknown username counts
    like a known one, and ModelBackend hashes the password for it too, so neither the answer nor
    its timing tells which accounts exist.
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked_out": "Too many failed sign-in attempts. Try again in %(minutes)s minute(s).",
    }

    def clean(self) -> dict[str, Any]:
        username = (self.cleaned_data.get("username") or "").strip().lower()
        address = (self.request.META.get("REMOTE_ADDR", "") if self.request else "") or "unknown"
        by_account, by_address = _login_limits()
        wait = locked_for([(by_account, username), (by_address, address)])
        if wait is not None:
            logger.warning("sign-in refused: locked out", extra={"action": "auth.login.locked_out"})
            raise ValidationError(
                self.error_messages["locked_out"],
                code="locked_out",
                params={"minutes": math.ceil(wait / 60)},
            )
        try:
            cleaned = super().clean()
        except ValidationError as exc:
            if any(error.code == "invalid_login" for error in exc.error_list):
                by_account.record_failure(username)
                by_address.record_failure(address)
            raise
        by_account.reset(username)
        return cleaned
