from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "reviewqueue.alerts"
    label = "alerts"
    verbose_name = "Ops alerts"
