from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "reviewqueue.policy"
    label = "policy"
