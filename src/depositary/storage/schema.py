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

# -- the service's index: derived from the log, rebuilt from it after a crash -------------

svc_parties = sa.Table(
    "svc_parties",
    metadata,
    sa.Column("party_id", sa.String(128), primary_key=True),
    sa.Column("idx", sa.BigInteger, nullable=False),
    sa.Column("admission", sa.Text, nullable=False),
)

svc_cases = sa.Table(
    "svc_cases",
    metadata,
    sa.Column("case_id", sa.String(128), primary_key=True),
    sa.Column("idx", sa.BigInteger, nullable=False),
    sa.Column("record", sa.Text, nullable=False),
)

svc_acts = sa.Table(
    "svc_acts",
    metadata,
    sa.Column("act_id", sa.String(128), primary_key=True),
    sa.Column("idx", sa.BigInteger, nullable=False, unique=True),
    sa.Column("leaf_hash", sa.LargeBinary(32), nullable=False),
    sa.Column("case_id", sa.String(128), nullable=True, index=True),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("made_at_ms", sa.BigInteger, nullable=False),
    sa.Column("received_at_ms", sa.BigInteger, nullable=True),
    sa.Column("authorised", sa.Boolean, nullable=True),
    sa.Column("last_evidence", sa.LargeBinary(32), nullable=False),
    sa.Column("search_text", sa.Text, nullable=False),
)

svc_act_parties = sa.Table(
    "svc_act_parties",
    metadata,
    sa.Column("act_id", sa.String(128), primary_key=True),
    sa.Column("party_id", sa.String(128), primary_key=True, index=True),
    sa.Column("role", sa.String(16), primary_key=True),
)

svc_evidence = sa.Table(
    "svc_evidence",
    metadata,
    sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("act_id", sa.String(128), nullable=False, index=True),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("addressee", sa.String(128), nullable=True),
    sa.Column("at_ms", sa.BigInteger, nullable=False),
)

svc_deliveries = sa.Table(
    "svc_deliveries",
    metadata,
    sa.Column("act_id", sa.String(128), primary_key=True),
    sa.Column("addressee", sa.String(128), primary_key=True),
    sa.Column("url", sa.String(2000), primary_key=True),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_at_ms", sa.BigInteger, nullable=False, index=True),
    sa.Column("last_error", sa.Text, nullable=True),
)

svc_nonces = sa.Table(
    "svc_nonces",
    metadata,
    sa.Column("nonce", sa.String(64), primary_key=True),
    sa.Column("party_id", sa.String(128), nullable=False),
    sa.Column("at_ms", sa.BigInteger, nullable=False),
)

svc_attachments = sa.Table(
    "svc_attachments",
    metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("media_type", sa.String(100), nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
)

# -- claims: written in the same transaction as the log entries that realise them ----------

svc_chains = sa.Table(
    "svc_chains",
    metadata,
    sa.Column("act_id", sa.String(128), primary_key=True),
    sa.Column("head", sa.LargeBinary(32), nullable=False),
    sa.Column("at_ms", sa.BigInteger, nullable=False),
)

svc_jobs = sa.Table(
    "svc_jobs",
    metadata,
    sa.Column("act_id", sa.String(128), primary_key=True),
    sa.Column("kind", sa.String(64), primary_key=True),
    sa.Column("addressee", sa.String(128), primary_key=True),
    sa.Column("url", sa.String(2000), primary_key=True),
)
