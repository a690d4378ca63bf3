"""consent withdrawal and guideline acknowledgements

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 22:29:15.015554
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:

    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_withdrawn_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('pairs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mentee_ack_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('mentor_ack_at', sa.DateTime(timezone=True), nullable=True))




def downgrade() -> None:

    with op.batch_alter_table('pairs', schema=None) as batch_op:
        batch_op.drop_column('mentor_ack_at')
        batch_op.drop_column('mentee_ack_at')

    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_column('consent_withdrawn_at')


