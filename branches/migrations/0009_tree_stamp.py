"""A stamp that changes whenever the tree does (PostgreSQL only): ``branches.census``
keeps counts of units under a stamp and reads them again while it has not changed."""

from django.db import migrations

CREATE = """
CREATE SEQUENCE branches_tree_stamp_seq;
CREATE TABLE branches_tree_stamp (id integer PRIMARY KEY CHECK (id = 1), stamp bigint NOT NULL);
INSERT INTO branches_tree_stamp VALUES (1, nextval('branches_tree_stamp_seq'));
CREATE FUNCTION branches_tree_stamp_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A number never given before, even by a transaction that was rolled back: counts kept
    -- under a stamp are those of exactly one state of the tree.
    UPDATE branches_tree_stamp SET stamp = nextval('branches_tree_stamp_seq') WHERE id = 1;
    RETURN NULL;
END $$;
CREATE TRIGGER tree_stamp_organisation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON branches_organisation FOR EACH STATEMENT EXECUTE FUNCTION branches_tree_stamp_bump();
CREATE TRIGGER tree_stamp_placement AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON branches_placement FOR EACH STATEMENT EXECUTE FUNCTION branches_tree_stamp_bump();
"""

DROP = """
DROP TRIGGER IF EXISTS tree_stamp_placement ON branches_placement;
DROP TRIGGER IF EXISTS tree_stamp_organisation ON branches_organisation;
DROP FUNCTION IF EXISTS branches_tree_stamp_bump();
DROP TABLE IF EXISTS branches_tree_stamp;
DROP SEQUENCE IF EXISTS branches_tree_stamp_seq;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("branches", "0008_placement_since")]

    operations = [migrations.RunPython(create, drop)]
