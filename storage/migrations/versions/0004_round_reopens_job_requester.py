"""rounds.reopens (a closed round reopened announces and publishes again); scheduled_jobs.requested_by and detail
(the facilitator who scheduled a job is told how its messages went, by a report job)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 12:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reopens", sa.Integer(), server_default="0", nullable=False))
    with op.batch_alter_table("scheduled_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("requested_by", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("detail", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scheduled_jobs", schema=None) as batch_op:
        batch_op.drop_column("detail")
        batch_op.drop_column("requested_by")
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.drop_column("reopens")
