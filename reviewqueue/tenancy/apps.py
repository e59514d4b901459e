from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "reviewqueue.tenancy"
    label = "tenancy"
