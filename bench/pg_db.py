"""`python bench/pg_db.py recreate|drop postgres://…/name`: a throw-away benchmark database."""

import sys
from urllib.parse import urlsplit

import psycopg


def main() -> None:
    action, url = sys.argv[1], sys.argv[2]
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = url.replace(parts.path, "/postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if action == "recreate":
            conn.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    main()
