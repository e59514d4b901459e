from django.apps import AppConfig


class AgreementConfig(AppConfig):
    name = "reviewqueue.agreement"
    label = "agreement"

    def ready(self) -> None:
        # Django's place for wiring an app into others once every model is loaded: the submit
        # receiver connects on import, and review's item reads learn of the blind-review guard.
        from reviewqueue.agreement import receivers
        from reviewqueue.review import visibility

        visibility.guard_register(receivers.blind_until_second_review)
