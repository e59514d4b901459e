# ReviewEvent, moved here from the review app (review.0007_reviewevent_moves_to_audit): Django's
# state only. The table, review_reviewevent, exists since review.0001 and is left as it is.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('review', '0007_reviewevent_moves_to_audit'),
        ('tenancy', '0004_tenant_expose_reviewer_names'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
        migrations.CreateModel(
            name='ReviewEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('type', models.CharField(max_length=64)),
                ('from_state', models.CharField(blank=True, default='', max_length=16)),
                ('to_state', models.CharField(blank=True, default='', max_length=16)),
                ('created_at', models.DateTimeField()),
                ('data', models.JSONField(blank=True, default=dict)),
                ('notified_at', models.DateTimeField(blank=True, null=True)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('client', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenancy.serviceclient')),
                ('draft', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='review.draft')),
                ('item', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='events', to='review.reviewitem')),
            ],
            options={
                'db_table': 'review_reviewevent',
                'ordering': ['created_at', 'id'],
                'indexes': [models.Index(fields=['draft', 'created_at'], name='event_draft_time'), models.Index(condition=models.Q(('notified_at__isnull', True)), fields=['created_at'], name='event_undelivered')],
            },
        ),
            ],
        ),
    ]
