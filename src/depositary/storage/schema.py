"""The SQL schema shared by every SQL backend (SQLAlchemy Core tables).

Alembic migrations under ``migrations/`` create exactly these tables; a test
checks the two never drift apart.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

meta = sa.Table(
    "log_meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

tiles = sa.Table(
    "log_tiles",
    metadata,
    sa.Column("level", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
)

bundles = sa.Table(
    "log_bundles",
    metadata,
    sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
)

leaf_index = sa.Table(
    "log_leaf_index",
    metadata,
    sa.Column("leaf_hash", sa.LargeBinary(32), primary_key=True),
    sa.Column("idx", sa.BigInteger, nullable=False),
    sqlite_with_rowid=False,
)

head = sa.Table(
    "log_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("timestamp_ms", sa.BigInteger, nullable=False),
    sa.Column("note", sa.LargeBinary, nullable=False),
)

checkpoints = sa.Table(
    "log_checkpoints",
    metadata,
    sa.Column("size", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("timestamp_ms", sa.BigInteger, nullable=False),
    sa.Column("note", sa.LargeBinary, nullable=False),
)
