"""profile_answers: residents' answers about themselves (ward, age band), one per resident per consultation

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

import storage.base

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "profile_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("question_key", sa.String(length=48), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("answered_at", storage.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["residents.id"], name=op.f("fk_profile_answers_resident_id_residents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"], ["consultations.id"], name=op.f("fk_profile_answers_consultation_id_consultations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profile_answers")),
        sa.UniqueConstraint(
            "resident_id", "consultation_id", "question_key",
            name=op.f("uq_profile_answers_resident_id_consultation_id_question_key"),
        ),
    )
    with op.batch_alter_table("profile_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_profile_answers_resident_id"), ["resident_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_profile_answers_consultation_id"), ["consultation_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("profile_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_profile_answers_consultation_id"))
        batch_op.drop_index(batch_op.f("ix_profile_answers_resident_id"))
    op.drop_table("profile_answers")
