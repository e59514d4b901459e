from django.apps import AppConfig


class IntakeConfig(AppConfig):
    # No models of its own: drafts are `review.Draft` (table and migrations stay with the review
    # app). Installed so Celery finds its tasks.
    name = "reviewqueue.intake"
    label = "intake"
