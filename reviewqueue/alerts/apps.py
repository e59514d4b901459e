from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "reviewqueue.alerts"
    label = "alerts"
    verbose_name = "Ops alerts"

    def ready(self) -> None:
        # Django's place for wiring an app into others once every model is loaded: the outbox
        # task delivers alert events too, without the audit app knowing of alerts.
        from reviewqueue.alerts import delivery
        from reviewqueue.audit import outbox

        outbox.outbox_register("alerts", delivery.alert_outbox_sweep)
