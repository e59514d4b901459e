from django.apps import AppConfig


class CalibrationConfig(AppConfig):
    name = "reviewqueue.calibration"
    label = "calibration"
