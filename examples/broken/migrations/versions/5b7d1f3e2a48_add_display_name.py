"""add display name

Revision ID: 5b7d1f3e2a48
Revises: 3f1c9a0e7b21
Create Date: 2025-04-01 09:02:33.410078

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '5b7d1f3e2a48'
down_revision: Union[str, Sequence[str], None] = '8d2e4b6a9c10'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("account", sa.Column("display_name", sa.String(80), nullable=True))


def downgrade() -> None:
    op.drop_column("account", "display_name")
