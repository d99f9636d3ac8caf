"""The first schema: rounds and posts.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rounds",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("title", sa.String(300), nullable=False, server_default=""),
        sa.Column("phase", sa.String(16), nullable=False, server_default=""),
        sa.Column("opened_at", sa.Float, nullable=False),
        sa.Column("closed_at", sa.Float, nullable=True),
    )
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("round_id", sa.Integer, sa.ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user", sa.String(255), nullable=False),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("value", sa.Text, nullable=False, server_default=""),
        sa.Column("status", sa.String(16), nullable=False, server_default=""),
        sa.Column("posted_at", sa.Float, nullable=False),
        sa.UniqueConstraint("round_id", "user", "key", name="one_post_per_key"),
    )
    op.create_index("ix_posts_round_id", "posts", ["round_id"])
    op.create_index("ix_posts_user", "posts", ["user"])


def downgrade() -> None:
    op.drop_table("posts")
    op.drop_table("rounds")
