"""flask keys generate | rotate: the data key that encrypts ID numbers and phones (app/crypto.py)."""
import click

from app import crypto
from app.cli import TransactionalGroup
from app.extensions import db
from app.services import audit

group = TransactionalGroup("keys", help="数据加密密钥 (the key of personal data at rest)")


@group.command("generate")
def generate() -> None:
    """Print a new random data key (for GJY_DATA_KEY)."""
    click.echo(crypto.generate_key())


@group.command("rotate")
def rotate() -> None:
    """Re-encrypt every ID number and phone under GJY_DATA_KEY (the old key in GJY_DATA_KEYS_OLD)."""
    changed = crypto.rotate(db.session())
    audit.record(None, "keys.rotated", "data_key", crypto.key_ring().current_id, actor_name="cli", rows=changed)
    for column, count in changed.items():
        click.echo(f"{column}: {count} 条已用新密钥重新加密")
