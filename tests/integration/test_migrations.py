"""The committed migrations produce exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

import pytest
from tortoise import Tortoise, connections
from tortoise.migrations.autodetector import MigrationAutodetector

from core.db import close_db, init_db, tortoise_config, upgrade
from tests.conftest import _create_pg_database, _drop_pg_database, make_settings

SQLITE_SCHEMA = """
SELECT m.name AS tbl, p.name AS col, p.type, p."notnull", p.pk
FROM sqlite_master m JOIN pragma_table_info(m.name) p
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name != 'tortoise_migrations'
ORDER BY 1, 2
"""
SQLITE_INDEXES = """
SELECT m.name AS tbl, group_concat(ii.name) AS cols, il."unique"
FROM sqlite_master m JOIN pragma_index_list(m.name) il JOIN pragma_index_info(il.name) ii
WHERE m.type = 'table' AND m.name != 'tortoise_migrations'
GROUP BY m.name, il.name ORDER BY 1, 2, 3
"""
PG_SCHEMA = """
SELECT table_name AS tbl, column_name AS col, data_type, is_nullable, column_default
FROM information_schema.columns
WHERE table_schema = 'public' AND table_name != 'tortoise_migrations'
ORDER BY 1, 2
"""
PG_INDEXES = """
SELECT tablename AS tbl, regexp_replace(indexdef, 'INDEX \\S+ ON', 'INDEX ON') AS def
FROM pg_indexes WHERE schemaname = 'public' AND tablename != 'tortoise_migrations'
ORDER BY 1, 2
"""


async def _schema(settings, queries: tuple[str, str]) -> list[list[tuple]]:
    await init_db(settings)
    try:
        conn = connections.get("default")
        out = []
        for query in queries:
            rows = (await conn.execute_query(query))[1]
            out.append(sorted(tuple(dict(r).values()) for r in rows))
        return out
    finally:
        await close_db()


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
async def test_migrations_match_models(kind: str, tmp_path: Path) -> None:
    urls: list[str] = []
    if kind == "sqlite":
        migrated = make_settings(tmp_path / "a")
        generated = make_settings(tmp_path / "b")
        queries = (SQLITE_SCHEMA, SQLITE_INDEXES)
    else:
        urls = [await _create_pg_database(), await _create_pg_database()]
        migrated = make_settings(tmp_path / "a", database_url=urls[0])
        generated = make_settings(tmp_path / "b", database_url=urls[1])
        queries = (PG_SCHEMA, PG_INDEXES)
    try:
        await upgrade(migrated)
        await Tortoise.init(config=tortoise_config(generated), _enable_global_fallback=True)
        await Tortoise.generate_schemas()
        await close_db()
        from_migrations = await _schema(migrated, queries)
        from_models = await _schema(generated, queries)
        assert from_migrations[0], "the migrated database has no tables"
        assert from_migrations == from_models
    finally:
        for url in urls:
            await _drop_pg_database(url)


async def test_no_model_change_lacks_a_migration(db) -> None:
    config = tortoise_config(db)
    detector = MigrationAutodetector(Tortoise.apps, config["apps"])
    writers = await detector.changes()
    assert writers == [], "models changed without a migration: run `make migrations`"
