"""The SLA latency figures now store their percentiles per hour and day (`<figure>.p` rows), and a
series read takes whole stored hours and days from those rows: tallies rolled before this have
none. Forget them so the pages compute directly (exact, slower) until the beat task has rolled
the hours again, or `manage.py rebuild_ops_rollups` has (run it after deploying)."""

from django.db import migrations


def forget_tallies(apps, schema_editor):
    apps.get_model("ops", "Tally").objects.all().delete()
    apps.get_model("ops", "RollupState").objects.update(rolled_until=None, events_seen_until=None)


class Migration(migrations.Migration):
    dependencies = [("ops", "0002_tally_rollup_state")]

    # Backwards: the older code ignores the `.p` rows, so nothing to undo.
    operations = [migrations.RunPython(forget_tallies, migrations.RunPython.noop)]
