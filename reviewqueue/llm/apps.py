from django.apps import AppConfig


class LlmConfig(AppConfig):
    name = "reviewqueue.llm"
    label = "llm"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from reviewqueue.llm.receivers import judge_the_audit_sample
        from reviewqueue.review.signals import draft_audit_sampled

        draft_audit_sampled.connect(judge_the_audit_sample, dispatch_uid="llm.judge_the_audit_sample")
