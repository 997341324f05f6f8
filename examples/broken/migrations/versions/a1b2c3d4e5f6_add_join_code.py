"""add join code to transaction

Revision ID: a1b2c3d4e5f6
Revises: 5b7d1f3e2a48
Create Date: 2025-05-12 08:30:12.331907

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'a1b2c3d4e5f6'
down_revision: Union[str, Sequence[str], None] = '5b7d1f3e2a48'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("transaction", sa.Column("join_code", sa.String(16), nullable=True))
    op.create_index("ix_transaction_join_code", "transaction", ["join_code"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_transaction_join_code", table_name="transaction")
    op.drop_column("transaction", "join_code")
