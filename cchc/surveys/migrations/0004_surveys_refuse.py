from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION surveys_refuse(reason text) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    -- Raised from the one-statement submission: the error undoes the whole statement.
    RAISE EXCEPTION USING MESSAGE = 'surveys refused: ' || reason, ERRCODE = 'P0001';
END
$$;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS surveys_refuse(text)")


class Migration(migrations.Migration):
    """The submission statement on PostgreSQL refuses a spent token or a full quota by raising."""

    dependencies = [("surveys", "0003_edit_versions")]

    operations = [migrations.RunPython(create, drop)]
