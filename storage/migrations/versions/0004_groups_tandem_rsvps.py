"""groups tandem rsvps

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 22:32:11.424519
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('tandem_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('offers', sa.JSON(), nullable=False),
    sa.Column('seeks', sa.JSON(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('member_id')
    )
    with op.batch_alter_table('tandem_profiles', schema=None) as batch_op:
        batch_op.create_index('ix_tandem_pool', ['community_id', 'status'], unique=False)

    op.create_table('rsvps',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('occurs_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], ),
    sa.PrimaryKeyConstraint('group_id', 'member_id', 'occurs_on')
    )
    with op.batch_alter_table('rsvps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rsvps_member_id'), ['member_id'], unique=False)

    op.create_table('tandem_intros',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('first_id', sa.Integer(), nullable=False),
    sa.Column('second_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('first_confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('second_confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('pair_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], ),
    sa.ForeignKeyConstraint(['first_id'], ['members.id'], ),
    sa.ForeignKeyConstraint(['pair_id'], ['pairs.id'], ),
    sa.ForeignKeyConstraint(['second_id'], ['members.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('tandem_intros', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tandem_intros_community_id'), ['community_id'], unique=False)
        batch_op.create_index('ix_tandem_intros_due', ['status', 'expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tandem_intros_first_id'), ['first_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tandem_intros_second_id'), ['second_id'], unique=False)

    with op.batch_alter_table('groups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('member_count', sa.Integer(), server_default=sa.text('0'), nullable=False))
        batch_op.add_column(sa.Column('next_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_groups_next_at'), ['next_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_groups_next_at'))
        batch_op.drop_column('next_at')
        batch_op.drop_column('member_count')

    with op.batch_alter_table('tandem_intros', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tandem_intros_second_id'))
        batch_op.drop_index(batch_op.f('ix_tandem_intros_first_id'))
        batch_op.drop_index('ix_tandem_intros_due')
        batch_op.drop_index(batch_op.f('ix_tandem_intros_community_id'))

    op.drop_table('tandem_intros')
    with op.batch_alter_table('rsvps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rsvps_member_id'))

    op.drop_table('rsvps')
    with op.batch_alter_table('tandem_profiles', schema=None) as batch_op:
        batch_op.drop_index('ix_tandem_pool')

    op.drop_table('tandem_profiles')
