"""flask users token USERNAME [--days N] [--scope read --scope write] [--name TEXT]."""
import click

from app.cli import TransactionalGroup
from app.services.identity.accounts import get_user_by_username
from app.services.identity.tokens import DEFAULT_DAYS, MAX_DAYS, SCOPES, create_token

group = TransactionalGroup("users", help="用户与访问令牌 (users and API tokens)")


@group.command("token")
@click.argument("username")
@click.option("--days", default=DEFAULT_DAYS, show_default=True, type=click.IntRange(1, MAX_DAYS),
              help=f"days until the token expires (1-{MAX_DAYS})")
@click.option("--scope", "scopes", multiple=True, type=click.Choice(SCOPES), default=SCOPES, show_default=True,
              help="read (operations that only read) and/or write (every change)")
@click.option("--name", default="", help="what the token is for")
def token(username: str, days: int, scopes: tuple[str, ...], name: str) -> None:
    """Print a new bearer token for USERNAME, alone on the last line (issued by the system, as every command's
    action, for USERNAME)."""
    user = get_user_by_username(username)
    _token, value = create_token(None, days=days, scopes=scopes, name=name, source_ip="cli", owner=user)
    click.echo(f"# bearer token for {user.username}, valid {days} days, scopes: {' '.join(scopes)}")
    click.echo(value)
