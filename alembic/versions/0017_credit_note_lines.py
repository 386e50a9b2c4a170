"""credit_note_line: the lines a credit note by lines credits, each line at most once

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-27 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('credit_note_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('credit_note_id', sa.Integer(), nullable=False),
    sa.Column('line_item_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['credit_note_id'], ['credit_note.id'], ),
    sa.ForeignKeyConstraint(['line_item_id'], ['line_item.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('line_item_id')
    )
    op.create_index(op.f('ix_credit_note_line_credit_note_id'), 'credit_note_line', ['credit_note_id'], unique=False)
    _link_earlier_notes()


def _link_earlier_notes() -> None:
    """Notes issued before kept only their lines' descriptions (one a line): each is linked to
    the line of its invoice with that description when exactly one line has it and no earlier
    note took it, so an old note's lines are not offered for credit again."""
    bind = op.get_bind()
    notes = bind.execute(sa.text(
        "select id, invoice_id, lines_text from credit_note where lines_text <> '' order by id"
    )).all()
    taken: set[int] = set()
    for note_id, invoice_id, lines_text in notes:
        lines = bind.execute(
            sa.text("select id, description from line_item where invoice_id = :i"), {"i": invoice_id}
        ).all()
        for description in {d for d in lines_text.splitlines() if d}:
            match = [line_id for line_id, text in lines if text == description]
            if len(match) == 1 and match[0] not in taken:
                taken.add(match[0])
                bind.execute(
                    sa.text("insert into credit_note_line (credit_note_id, line_item_id) values (:n, :l)"),
                    {"n": note_id, "l": match[0]},
                )


def downgrade() -> None:
    op.drop_index(op.f('ix_credit_note_line_credit_note_id'), table_name='credit_note_line')
    op.drop_table('credit_note_line')
