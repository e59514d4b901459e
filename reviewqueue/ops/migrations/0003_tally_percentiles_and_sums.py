"""The tallies gain a sum column (for /metrics' histograms, now read from the tallies), /metrics'
own figures and, for the SLA latencies, percentile rows per hour and day: tallies rolled before
this have none of them. They are forgotten first (so the index is rebuilt on an empty table), and
the pages compute directly (exact, slower) until the beat task has rolled the hours again, or
`manage.py rebuild_ops_rollups` has: run it after deploying."""

from django.db import migrations, models


def forget_tallies(apps, schema_editor):
    apps.get_model("ops", "Tally").objects.all().delete()
    apps.get_model("ops", "RollupState").objects.update(rolled_until=None, events_seen_until=None)


class Migration(migrations.Migration):

    dependencies = [
        ('ops', '0002_tally_rollup_state'),
        ('tenancy', '0004_tenant_expose_reviewer_names'),
    ]

    operations = [
        # Backwards: the older code ignores the rows it does not know, so nothing to undo.
        migrations.RunPython(forget_tallies, migrations.RunPython.noop),
        migrations.RemoveIndex(
            model_name='tally',
            name='tally_figure_span',
        ),
        migrations.AddField(
            model_name='tally',
            name='total',
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name='tally',
            index=models.Index(fields=['tenant', 'figure', 'hours', 'start'], include=('key', 'bucket', 'n', 'lo', 'hi', 'total'), name='tally_figure_span'),
        ),
    ]
