from django.apps import AppConfig


class AuditConfig(AppConfig):
    # The event log (`ReviewEvent`, still in its table `review_reviewevent`), its type registry,
    # the outbox and the webhooks.
    name = "reviewqueue.audit"
    label = "audit"
