from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "reviewqueue.ops"
    label = "ops"
    verbose_name = "Ops lead workspace"
