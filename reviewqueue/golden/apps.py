from django.apps import AppConfig


class GoldenConfig(AppConfig):
    name = "reviewqueue.golden"
    label = "golden"

    def ready(self) -> None:
        # Django's place for wiring an app into others once every model is loaded: the signal
        # receivers connect on import.
        from reviewqueue.golden import receivers  # noqa: F401
