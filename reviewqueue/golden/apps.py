from django.apps import AppConfig


class GoldenConfig(AppConfig):
    name = "reviewqueue.golden"
    label = "golden"
