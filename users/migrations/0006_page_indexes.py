from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('users', '0005_remembered_consent'),
    ]

    operations = [
        # Members of a group are paged in user order: this index lets each group's page stop at its
        # LIMIT (schema/nested_pages.py). Django's join table has (user_id, group_id) and (group_id)
        # alone; the second does not order a group's members.
        migrations.RunSQL(
            'CREATE INDEX "users_user_groups_group_user_idx" ON "users_user_groups" ("group_id", "user_id")',
            'DROP INDEX "users_user_groups_group_user_idx"',
        ),
        migrations.AddIndex(
            model_name='user',
            index=models.Index(fields=['date_joined', 'id'], name='users_user_joined_idx'),
        ),
    ]
