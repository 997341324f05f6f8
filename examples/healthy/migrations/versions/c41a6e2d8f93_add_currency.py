"""add currency

Revision ID: c41a6e2d8f93
Revises: 8d2e4b6a9c10
Create Date: 2025-04-02 14:21:10.005532

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'c41a6e2d8f93'
down_revision: Union[str, Sequence[str], None] = '8d2e4b6a9c10'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("transaction", sa.Column("currency", sa.String(3), server_default="EUR", nullable=False))


def downgrade() -> None:
    op.drop_column("transaction", "currency")
