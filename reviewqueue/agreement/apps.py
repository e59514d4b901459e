from django.apps import AppConfig


class AgreementConfig(AppConfig):
    name = "reviewqueue.agreement"
    label = "agreement"
