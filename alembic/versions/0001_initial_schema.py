"""Initial schema: collections, documents and their identifiers, passages, footnotes, pages.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 11:23:57.190904
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('collection',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('publisher', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('document',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('collection_id', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('authors', sa.JSON(), nullable=False),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('date', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('date_start', sa.Date(), nullable=True),
    sa.Column('date_end', sa.Date(), nullable=True),
    sa.Column('source_type', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('genre', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=35), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('provenance', sa.JSON(), nullable=False),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('checksum', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('fingerprint', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['collection_id'], ['collection.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.create_index('ix_document_collection_date', ['collection_id', 'date_start', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_collection_id'), ['collection_id'], unique=False)
        batch_op.create_index('ix_document_date', ['date_start', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_genre'), ['genre'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_source_type'), ['source_type'], unique=False)
        batch_op.create_index('ix_document_title', ['title', 'id'], unique=False)

    op.create_table('document_identifier',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('scheme', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('value', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('normalized', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('document_id', 'scheme', 'value', name='uq_document_identifier')
    )
    with op.batch_alter_table('document_identifier', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_identifier_document_id'), ['document_id'], unique=False)
        batch_op.create_index('ix_document_identifier_lookup', ['scheme', 'normalized'], unique=False)

    op.create_table('page_marker',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('n', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('offset', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('document_id', 'seq', name='uq_page_marker_seq')
    )
    op.create_table('passage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('ref', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('boilerplate', sa.Boolean(), nullable=False),
    sa.Column('section_ref', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('start_offset', sa.Integer(), nullable=False),
    sa.Column('end_offset', sa.Integer(), nullable=False),
    sa.Column('page', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('document_id', 'ref', name='uq_passage_ref'),
    sa.UniqueConstraint('document_id', 'seq', name='uq_passage_seq')
    )
    op.create_table('footnote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('ref', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('marker', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('passage_id', sa.Integer(), nullable=True),
    sa.Column('offset', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['passage_id'], ['passage.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('document_id', 'number', name='uq_footnote_number'),
    sa.UniqueConstraint('document_id', 'ref', name='uq_footnote_ref')
    )


def downgrade() -> None:
    op.drop_table('footnote')
    op.drop_table('passage')
    op.drop_table('page_marker')
    with op.batch_alter_table('document_identifier', schema=None) as batch_op:
        batch_op.drop_index('ix_document_identifier_lookup')
        batch_op.drop_index(batch_op.f('ix_document_identifier_document_id'))

    op.drop_table('document_identifier')
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index('ix_document_title')
        batch_op.drop_index(batch_op.f('ix_document_source_type'))
        batch_op.drop_index(batch_op.f('ix_document_genre'))
        batch_op.drop_index('ix_document_date')
        batch_op.drop_index(batch_op.f('ix_document_collection_id'))
        batch_op.drop_index('ix_document_collection_date')

    op.drop_table('document')
    op.drop_table('collection')
