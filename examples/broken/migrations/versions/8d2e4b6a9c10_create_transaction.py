"""create transaction

Revision ID: 8d2e4b6a9c10
Revises: 3f1c9a0e7b21
Create Date: 2025-03-09 16:40:51.902113

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '8d2e4b6a9c10'
down_revision: Union[str, Sequence[str], None] = '3f1c9a0e7b21'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "transaction",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("account.id"), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_transaction_account_id", "transaction", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_transaction_account_id", table_name="transaction")
    op.drop_table("transaction")
