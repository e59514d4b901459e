from django.apps import AppConfig


class LlmConfig(AppConfig):
    name = "reviewqueue.llm"
    label = "llm"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Django's place for wiring an app into others once every model is loaded: the signal
        # receivers connect on import, and intake's scoring task learns of this app's hooks.
        from reviewqueue.intake import hooks as intake_hooks
        from reviewqueue.llm import receivers  # noqa: F401
        from reviewqueue.llm.hooks import SCORING_HOOKS

        intake_hooks.register(SCORING_HOOKS)
