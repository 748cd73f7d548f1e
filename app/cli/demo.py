"""flask demo seed | reset: the 14 cities, enterprises, persons, projects, locks, records and demo users."""
import shutil
from pathlib import Path

import click
from flask import current_app
from flask_migrate import upgrade

from app.cli import TransactionalGroup
from app.db import drop_all_tables
from app.extensions import db
from app.services.demo import DEMO_PASSWORD, DEMO_USERNAMES, seed_demo
from app.services.procedures.versions import deploy_procedures

group = TransactionalGroup("demo", help="演示数据 (demo data)")


@group.command("seed")
def seed() -> None:
    """Create the demo data (idempotent: does nothing when it already exists)."""
    if not current_app.config["DEMO"]:
        raise click.ClickException("demo data needs demo mode: set GJY_DEMO=1")
    created = seed_demo()
    click.echo("demo data created" if created else "demo data already present")
    click.echo(f"demo users (password {DEMO_PASSWORD}): {' '.join(DEMO_USERNAMES)}")


@group.command("reset")
@click.option("--yes", is_flag=True, help="do not ask for confirmation")
def reset(yes: bool) -> None:
    """Erase everything (cases, uploads, data) and start again from fresh demo data: each walkthrough in
    docs/walkthroughs/ assumes a fresh seed, and a walkthrough changes the records it runs on."""
    if not current_app.config["DEMO"]:
        raise click.ClickException("only a demo database can be reset: set GJY_DEMO=1")
    if not yes:
        click.confirm(f"erase every table of {db.engine.url.render_as_string(hide_password=True)} "
                      "and the uploaded files?", abort=True)
    drop_all_tables(db.engine)
    shutil.rmtree(Path(current_app.config["UPLOAD_DIR"]), ignore_errors=True)
    upgrade()
    deploy_procedures(current_app.config["BPMN_DIR"], current_app.config["FORMS_DIR"], deployed_by="demo")
    seed_demo()
    click.echo("demo data reset")
