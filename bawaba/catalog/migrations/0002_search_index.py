"""Full-text index over catalog_searchdocument, per database engine.

SQLite: an FTS5 table whose rowid is the SearchDocument id (kept in step by the indexing
service). PostgreSQL: a generated tsvector column ('simple' configuration, because the
tokens are already normalised and stemmed by Bawaba) with a GIN index."""

from django.db import migrations


def forwards(apps, schema_editor):
    conn = schema_editor.connection
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            cursor.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS catalog_search_fts USING fts5("
                "title, body, tokenize = 'unicode61 remove_diacritics 0')"
            )
        elif conn.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE catalog_searchdocument ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
                "setweight(to_tsvector('simple'::regconfig, title), 'A') || "
                "setweight(to_tsvector('simple'::regconfig, body), 'B')) STORED"
            )
            cursor.execute("CREATE INDEX catalog_searchdoc_tsv ON catalog_searchdocument USING gin (tsv)")


def backwards(apps, schema_editor):
    conn = schema_editor.connection
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            cursor.execute("DROP TABLE IF EXISTS catalog_search_fts")
        elif conn.vendor == "postgresql":
            cursor.execute("DROP INDEX IF EXISTS catalog_searchdoc_tsv")
            cursor.execute("ALTER TABLE catalog_searchdocument DROP COLUMN IF EXISTS tsv")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
