"""Claims for several processes: each act's evidence chain head, and one-time jobs.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "svc_chains",
        sa.Column("act_id", sa.String(128), primary_key=True),
        sa.Column("head", sa.LargeBinary(32), nullable=False),
        sa.Column("at_ms", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "svc_jobs",
        sa.Column("act_id", sa.String(128), primary_key=True),
        sa.Column("kind", sa.String(64), primary_key=True),
        sa.Column("addressee", sa.String(128), primary_key=True),
        sa.Column("url", sa.String(2000), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("svc_jobs")
    op.drop_table("svc_chains")
