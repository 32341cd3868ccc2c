"""statements, reactions and statement_followers: residents' statements (moderated), their reactions, and who asked
to hear of new statements

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from storage.base import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("question_key", sa.String(length=48), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("cost", sa.BigInteger(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("seed_key", sa.String(length=64), nullable=True),
        sa.Column("round_number", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("merged_into", sa.Integer(), nullable=True),
        sa.Column("like_id", sa.Integer(), nullable=True),
        sa.Column("likeness", sa.Float(), nullable=True),
        sa.Column("reactions", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("reviewed_by", sa.BigInteger(), nullable=True),
        sa.Column("reviewed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["author_id"], ["residents.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultations.id"]),
        sa.ForeignKeyConstraint(["merged_into"], ["statements.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("consultation_id", "question_key", "seed_key"),
    )
    op.create_index("ix_statements_question", "statements", ["consultation_id", "question_key", "status"])
    op.create_table(
        "reactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("reaction", sa.SmallInteger(), nullable=False),
        sa.Column("round_number", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["resident_id"], ["residents.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["statement_id"], ["statements.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("statement_id", "resident_id"),
    )
    op.create_index(op.f("ix_reactions_statement_id"), "reactions", ["statement_id"])
    op.create_index(op.f("ix_reactions_resident_id"), "reactions", ["resident_id"])
    op.create_table(
        "statement_followers",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("question_key", sa.String(length=48), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("since", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultations.id"]),
        sa.ForeignKeyConstraint(["resident_id"], ["residents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("consultation_id", "question_key", "resident_id"),
    )


def downgrade() -> None:
    op.drop_table("statement_followers")
    op.drop_index(op.f("ix_reactions_resident_id"), table_name="reactions")
    op.drop_index(op.f("ix_reactions_statement_id"), table_name="reactions")
    op.drop_table("reactions")
    op.drop_index("ix_statements_question", table_name="statements")
    op.drop_table("statements")
