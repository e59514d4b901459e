"""/ops/queues/<id>/settings/ — a queue's settings as a form; errors shown per field."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from reviewqueue.errors import InvalidInput
from reviewqueue.markdown import render_markdown
from reviewqueue.ops.access import lead_required, lead_tenants
from reviewqueue.ops.forms import QueueSettingsForm
from reviewqueue.ops.models import QueueSettingsChange
from reviewqueue.ops.services import queue_settings_update
from reviewqueue.review.models import Queue
from reviewqueue.web.views.access import signed_in_user


@lead_required
@require_http_methods(["GET", "POST"])
def ops_queue_settings(request: HttpRequest, queue_id: int) -> HttpResponse:
    queue = Queue.objects.select_related("tenant").filter(pk=queue_id, tenant_id__in=lead_tenants(request)).first()
    if queue is None:
        raise Http404("No such queue.")
    status = 200
    if request.method == "POST":
        form = QueueSettingsForm(request.POST, queue=queue)
        if form.is_valid():
            try:
                queue_settings_update(
                    acting_user=signed_in_user(request),
                    queue_id=queue.pk,
                    changes=form.cleaned_data,
                    now=timezone.now(),
                )
            except InvalidInput as err:
                for field, errors in err.details.get("fields", {}).items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, f"Saved the settings of {queue.title or queue.name}.")
                return redirect("ops:queue_settings", queue_id=queue.pk)
        status = 400
    else:
        form = QueueSettingsForm(initial=QueueSettingsForm.initial_for(queue), queue=queue)
    changes = QueueSettingsChange.objects.filter(queue=queue).select_related("actor").order_by("-created_at")[:20]
    context = {
        "queue": queue,
        "form": form,
        "changes": changes,
        # The saved guidelines as reviewers see them beside the draft.
        "guidelines_html": render_markdown(queue.guidelines) if queue.guidelines.strip() else "",
    }
    return render(request, "ops/queue_settings.html", context, status=status)
