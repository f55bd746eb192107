"""complaints: the complainant's name and phone encrypted at rest (FieldCipher), with their masked
forms; existing rows are encrypted with AUDIT_PII_KEYS, then the plain columns are dropped

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 14:20:00.000000
"""
import os

from alembic import op
import sqlalchemy as sa

from eldercare.common.pii import FieldCipher, mask_phone, mask_text, parse_keyring


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

COMPLAINTS = sa.table(
    'complaints',
    sa.column('id', sa.UUID()),
    sa.column('complainant_name', sa.String()),
    sa.column('complainant_phone', sa.String()),
    sa.column('complainant_name_sealed', sa.Text()),
    sa.column('complainant_phone_sealed', sa.Text()),
    sa.column('complainant_name_masked', sa.String()),
    sa.column('complainant_phone_masked', sa.String()),
)


def _cipher() -> FieldCipher:
    # The same keys and context as adapters.pii.ComplainantCipher, so the service reads these rows.
    spec = os.environ.get('AUDIT_PII_KEYS')
    if not spec:
        raise RuntimeError(
            'complaints hold complainants in clear: set AUDIT_PII_KEYS so this migration can encrypt them'
        )
    return FieldCipher(parse_keyring(spec), os.environ.get('AUDIT_PII_ALGORITHM', 'aes-256-gcm'))


def upgrade() -> None:
    op.add_column('complaints', sa.Column('complainant_name_sealed', sa.Text(), nullable=True))
    op.add_column('complaints', sa.Column('complainant_phone_sealed', sa.Text(), nullable=True))
    op.add_column('complaints', sa.Column('complainant_name_masked', sa.String(length=16), nullable=True))
    op.add_column('complaints', sa.Column('complainant_phone_masked', sa.String(length=16), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(COMPLAINTS.c.id, COMPLAINTS.c.complainant_name, COMPLAINTS.c.complainant_phone).where(
            sa.or_(COMPLAINTS.c.complainant_name.is_not(None), COMPLAINTS.c.complainant_phone.is_not(None))
        )
    ).all()
    cipher = _cipher() if rows else None
    for row_id, name, phone in rows:
        assert cipher is not None
        bind.execute(
            COMPLAINTS.update()
            .where(COMPLAINTS.c.id == row_id)
            .values(
                complainant_name_sealed=cipher.encrypt(name, context=f'complaints.complainant_name:{row_id}') if name else None,
                complainant_phone_sealed=cipher.encrypt(phone, context=f'complaints.complainant_phone:{row_id}') if phone else None,
                complainant_name_masked=mask_text(name) if name else None,
                complainant_phone_masked=mask_phone(phone) if phone else None,
            )
        )
    op.drop_column('complaints', 'complainant_name')
    op.drop_column('complaints', 'complainant_phone')


def downgrade() -> None:
    op.add_column('complaints', sa.Column('complainant_name', sa.String(length=100), nullable=True))
    op.add_column('complaints', sa.Column('complainant_phone', sa.String(length=32), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(COMPLAINTS.c.id, COMPLAINTS.c.complainant_name_sealed, COMPLAINTS.c.complainant_phone_sealed).where(
            sa.or_(COMPLAINTS.c.complainant_name_sealed.is_not(None), COMPLAINTS.c.complainant_phone_sealed.is_not(None))
        )
    ).all()
    cipher = _cipher() if rows else None
    for row_id, name, phone in rows:
        assert cipher is not None
        bind.execute(
            COMPLAINTS.update()
            .where(COMPLAINTS.c.id == row_id)
            .values(
                complainant_name=cipher.decrypt(name, context=f'complaints.complainant_name:{row_id}') if name else None,
                complainant_phone=cipher.decrypt(phone, context=f'complaints.complainant_phone:{row_id}') if phone else None,
            )
        )
    for column in ('complainant_name_sealed', 'complainant_phone_sealed', 'complainant_name_masked', 'complainant_phone_masked'):
        op.drop_column('complaints', column)
