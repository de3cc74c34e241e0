"""Entities (and events as entities), aliases, mentions and cross-references.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 11:37:40.449086
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('entity',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('type', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('date', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('date_start', sa.Date(), nullable=True),
    sa.Column('date_end', sa.Date(), nullable=True),
    sa.Column('external_ids', sa.JSON(), nullable=False),
    sa.Column('members', sa.JSON(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('entity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entity_name'), ['name'], unique=False)
        batch_op.create_index('ix_entity_type_name', ['type', 'name', 'id'], unique=False)

    op.create_table('entity_alias',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('case_sensitive', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key', name='uq_entity_alias_key')
    )
    with op.batch_alter_table('entity_alias', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entity_alias_entity_id'), ['entity_id'], unique=False)

    op.create_table('event',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('event_type', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('place_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.ForeignKeyConstraint(['id'], ['entity.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['place_id'], ['entity.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_event_type'), ['event_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_place_id'), ['place_id'], unique=False)

    op.create_table('event_participant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('entity_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id', 'entity_id', 'role', name='uq_participant')
    )
    with op.batch_alter_table('event_participant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_participant_entity_id'), ['entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_participant_event_id'), ['event_id'], unique=False)

    op.create_table('event_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('document_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('passage_ref', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id', 'document_id', 'passage_ref', name='uq_event_report')
    )
    with op.batch_alter_table('event_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_report_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_report_event_id'), ['event_id'], unique=False)

    op.create_table('cross_reference',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('relation', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('origin', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('source_document_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('source_passage_id', sa.Integer(), nullable=True),
    sa.Column('source_footnote_id', sa.Integer(), nullable=True),
    sa.Column('source_start', sa.Integer(), nullable=True),
    sa.Column('source_end', sa.Integer(), nullable=True),
    sa.Column('target_document_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('target_passage_ref', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('target_footnote_ref', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('target_scheme', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
    sa.Column('target_value', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('target_key', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('target_label', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['source_document_id'], ['document.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_footnote_id'], ['footnote.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_passage_id'], ['passage.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_document_id'], ['document.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('cross_reference', schema=None) as batch_op:
        batch_op.create_index('ix_xref_source', ['source_document_id', 'relation'], unique=False)
        batch_op.create_index('ix_xref_target', ['target_document_id', 'relation'], unique=False)
        batch_op.create_index('ix_xref_unresolved', ['target_scheme', 'target_key'], unique=False)

    op.create_table('mention',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('passage_id', sa.Integer(), nullable=True),
    sa.Column('footnote_id', sa.Integer(), nullable=True),
    sa.Column('entity_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('surface', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['footnote_id'], ['footnote.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['passage_id'], ['passage.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('mention', schema=None) as batch_op:
        batch_op.create_index('ix_mention_document', ['document_id', 'status'], unique=False)
        batch_op.create_index('ix_mention_entity', ['entity_id', 'status', 'document_id'], unique=False)
        batch_op.create_index('ix_mention_footnote', ['footnote_id'], unique=False)
        batch_op.create_index('ix_mention_passage', ['passage_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('mention', schema=None) as batch_op:
        batch_op.drop_index('ix_mention_passage')
        batch_op.drop_index('ix_mention_footnote')
        batch_op.drop_index('ix_mention_entity')
        batch_op.drop_index('ix_mention_document')

    op.drop_table('mention')
    with op.batch_alter_table('cross_reference', schema=None) as batch_op:
        batch_op.drop_index('ix_xref_unresolved')
        batch_op.drop_index('ix_xref_target')
        batch_op.drop_index('ix_xref_source')

    op.drop_table('cross_reference')
    with op.batch_alter_table('event_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_report_event_id'))
        batch_op.drop_index(batch_op.f('ix_event_report_document_id'))

    op.drop_table('event_report')
    with op.batch_alter_table('event_participant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_participant_event_id'))
        batch_op.drop_index(batch_op.f('ix_event_participant_entity_id'))

    op.drop_table('event_participant')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_place_id'))
        batch_op.drop_index(batch_op.f('ix_event_event_type'))

    op.drop_table('event')
    with op.batch_alter_table('entity_alias', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entity_alias_entity_id'))

    op.drop_table('entity_alias')
    with op.batch_alter_table('entity', schema=None) as batch_op:
        batch_op.drop_index('ix_entity_type_name')
        batch_op.drop_index(batch_op.f('ix_entity_name'))

    op.drop_table('entity')
