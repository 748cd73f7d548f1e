"""flask demo seed: the 14 cities, enterprises, persons, projects, locks, records and demo users."""
import click
from flask import current_app
from flask.cli import AppGroup

from app.db import unit_of_work
from app.services.demo import DEMO_PASSWORD, seed_demo

group = AppGroup("demo", help="演示数据 (demo data)")


@group.command("seed")
def seed() -> None:
    """Create the demo data (idempotent: does nothing when it already exists)."""
    if not current_app.config["DEMO"]:
        raise click.ClickException("demo data needs demo mode: set GJY_DEMO=1")
    with unit_of_work():
        created = seed_demo()
    click.echo("demo data created" if created else "demo data already present")
    click.echo(f"demo users (password {DEMO_PASSWORD}): ent-nanning ent-liuzhou city-nanning city-liuzhou "
               "province analyst supervisor person")
