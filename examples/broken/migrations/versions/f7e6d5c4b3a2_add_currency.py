"""add currency

Revision ID: f7e6d5c4b3a2
Revises: 8d2e4b6a9c10
Create Date: 2025-05-20 12:00:03.554120

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'f7e6d5c4b3a2'
down_revision: Union[str, Sequence[str], None] = '8d2e4b6a9c10'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("transaction", sa.Column("currency", sa.String(3), server_default="EUR", nullable=False))


def downgrade() -> None:
    op.drop_column("transaction", "currency")
