"""outbox recipient and group columns, counted thanks

Deleting a member's data finds the scheduled messages addressed to them by
`outbox.recipient_member_id` (never by searching the JSON), and a message about a group reads
the group's name and topic through `outbox.group_id` when it is delivered. `kudos.counted` is
false for a repeated thank-you within the cooldown (posted, not counted).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 14:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('kudos', schema=None) as batch_op:
        batch_op.add_column(sa.Column('counted', sa.Boolean(), server_default=sa.true(),
                                      nullable=False))

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recipient_member_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('group_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_recipient_member_id'),
                              ['recipient_member_id'], unique=False)
        batch_op.create_foreign_key('fk_outbox_recipient_member_id_members', 'members',
                                    ['recipient_member_id'], ['id'])
        batch_op.create_foreign_key('fk_outbox_group_id_groups', 'groups', ['group_id'], ['id'])

    # Rows already queued for a member: their target is the member id.
    op.execute("UPDATE outbox SET recipient_member_id = CAST(target AS INTEGER) "
               "WHERE target_kind = 'member'")


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint('fk_outbox_group_id_groups', type_='foreignkey')
        batch_op.drop_constraint('fk_outbox_recipient_member_id_members', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_recipient_member_id'))
        batch_op.drop_column('group_id')
        batch_op.drop_column('recipient_member_id')

    with op.batch_alter_table('kudos', schema=None) as batch_op:
        batch_op.drop_column('counted')
