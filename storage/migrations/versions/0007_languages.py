"""residents.language (the language a resident reads in) and answers.language (the language an answer was given in)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("residents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_column("language")
    with op.batch_alter_table("residents", schema=None) as batch_op:
        batch_op.drop_column("language")
