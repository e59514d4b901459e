from django.apps import AppConfig


class DemoConfig(AppConfig):
    # The demo data and `manage.py seed_demo`: on top of every other app (it sets up a tenant
    # with queues, members, alert rules and drafts through their services), imported by none.
    name = "reviewqueue.demo"
    label = "demo"
