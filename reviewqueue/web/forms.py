"""Input shapes of the reviewer pages. They check types and sizes only; the services decide what
is allowed (reason codes, target queues, leases), so no rule lives in two places."""

from __future__ import annotations

from django import forms

from reviewqueue.calibration.models import ClaimVerdict


class ClaimNextForm(forms.Form):
    queue = forms.IntegerField(required=False, min_value=1)


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
