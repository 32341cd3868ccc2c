"""groups.active: a link stays, marked inactive, when the bot is removed from the group (nothing is posted there);
send_log: the sends several workers count together against Telegram's limits

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from storage.base import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False))
    op.create_table(
        "send_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("returned_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_send_log")),
    )
    op.create_index("ix_send_log_chat", "send_log", ["chat_id", "started_at"], unique=False)
    op.create_index(op.f("ix_send_log_started_at"), "send_log", ["started_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_send_log_started_at"), table_name="send_log")
    op.drop_index("ix_send_log_chat", table_name="send_log")
    op.drop_table("send_log")
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_column("active")
