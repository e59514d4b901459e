from django.apps import AppConfig


class AuditConfig(AppConfig):
    # No models of its own: the event rows are `review.ReviewEvent` (table and migrations stay
    # with the review app). Installed so Celery finds its tasks.
    name = "reviewqueue.audit"
    label = "audit"
