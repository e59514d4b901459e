from django.apps import AppConfig


class CalibrationConfig(AppConfig):
    name = "reviewqueue.calibration"
    label = "calibration"

    def ready(self) -> None:
        # Django's place for wiring an app into others once every model is loaded: the scoring
        # worker records the shadow candidate's decision through intake's hook registry.
        from reviewqueue.calibration import shadow
        from reviewqueue.intake import hooks as intake_hooks

        intake_hooks.listen_scored_route(shadow.shadow_record_routed)
