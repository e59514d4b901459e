from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "reviewqueue.review"
    label = "review"
