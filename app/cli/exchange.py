"""flask exchange dispatch|standins|import: deliver the outbox, serve stand-ins of the external systems,
import a batch file of inbound messages."""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import click
from flask.cli import AppGroup

from app.db import transactional
from app.errors import DomainError
from app.integrations.exchange import SYSTEMS
from app.integrations.exchange.standin import start_all
from app.jobs.exchange import dispatch_outbox
from app.services.exchange.inbound import receive

group = AppGroup("exchange", help="数据交换 (data exchange with other systems)")


@group.command("dispatch")
@click.option("--loop", is_flag=True, help="keep dispatching (a dedicated worker) until interrupted")
@click.option("--interval", default=1.0, show_default=True, help="seconds between rounds with --loop")
def dispatch(loop: bool, interval: float) -> None:
    """Deliver the due outbox messages now (once, or in a loop)."""
    while True:
        delivered = dispatch_outbox()
        click.echo(f"delivered {delivered} message(s)")
        if not loop:
            return
        time.sleep(interval)


@group.command("standins")
@click.option("--port", default=0, help="first port (the next systems take the following ones); 0: any free")
def standins(port: int) -> None:
    """Serve a stand-in for every system we send to, on 127.0.0.1, until interrupted."""
    servers = start_all(port)
    for system, server in servers.items():
        click.echo(f"GJY_EXCHANGE_{system.upper()}_URL={server.url}")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        for server in servers.values():
            server.stop()


def _messages(path: Path) -> list[Any]:
    """A JSON array of envelopes, or one envelope per line (JSON Lines)."""
    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("["):
        loaded = json.loads(text)
        return loaded if isinstance(loaded, list) else [loaded]
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@group.command("import")
@click.argument("system", type=click.Choice(sorted(SYSTEMS)))
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_file(system: str, path: Path) -> None:
    """Import a batch file of messages from SYSTEM (下行导入 and bulk loads): each message is received as
    over HTTP (stored, validated, applied once), in a transaction of its own."""
    counts: dict[str, int] = {}
    for envelope in _messages(path):
        try:
            received = transactional(receive)(system, envelope, "file")
            key = "duplicate" if received.duplicate else received.message.status
        except DomainError as exc:
            key = "refused"
            click.echo(f"refused: {exc.message}", err=True)
        counts[key] = counts.get(key, 0) + 1
    click.echo(", ".join(f"{key} {n}" for key, n in sorted(counts.items())) or "no messages")
