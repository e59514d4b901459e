# ReviewEvent moves to the audit app (audit.0001_reviewevent_moves_to_audit): Django's state only.
# The table keeps its name, review_reviewevent, its rows and its indexes; nothing runs on the database.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0006_audit_sampling"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # State only: the table stays, and audit.ReviewEvent (the same rows) takes it over.
            state_operations=[migrations.DeleteModel(name="ReviewEvent")],  # migration-lint: ok
            database_operations=[],
        ),
    ]
