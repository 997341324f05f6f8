"""merge display name and currency

Revision ID: e9f08b7c3d15
Revises: 5b7d1f3e2a48, c41a6e2d8f93
Create Date: 2025-04-03 11:45:00.771204

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'e9f08b7c3d15'
down_revision: Union[str, Sequence[str], None] = ('5b7d1f3e2a48', 'c41a6e2d8f93')
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
