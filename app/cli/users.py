"""flask users token USERNAME."""
import click

from app.cli import TransactionalGroup
from app.services.identity.accounts import get_user_by_username, issue_token

group = TransactionalGroup("users", help="用户与访问令牌 (users and API tokens)")


@group.command("token")
@click.argument("username")
@click.option("--days", default=90, show_default=True, help="days until the token expires")
def token(username: str, days: int) -> None:
    """Print a new bearer token for USERNAME, alone on the last line."""
    user = get_user_by_username(username)
    value = issue_token(user, days=days)
    click.echo(f"# bearer token for {user.username}, valid {days} days")
    click.echo(value)
