"""flask exchange dispatch|standins|import: deliver the outbox, serve stand-ins of the external systems,
import a batch file of inbound messages."""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from flask.cli import AppGroup

from app.db import transactional
from app.errors import DomainError
from app.integrations.exchange import SYSTEMS
from app.integrations.exchange.standin import start_all
from app.jobs.exchange import dispatch_outbox
from app.models import InboundStatus
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


@dataclass(frozen=True)
class Entry:
    """One message of a batch file: where it is (第 3 行, or 第 3 条 of an array) and its envelope, or why it
    could not be read as one."""
    where: str
    envelope: Any = None
    problem: str = ""


def _text(path: Path) -> str:
    """The file as UTF-8 text (a byte-order mark accepted); another encoding refuses the whole file."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise click.ClickException(f"{path.name} 不是 UTF-8 编码的文本（第 {line} 行起），未导入任何报文；"
                                   "请将文件另存为 UTF-8 后重试 (the file is not UTF-8: nothing imported)") from exc


def _not_json(exc: json.JSONDecodeError) -> str:
    return f"不是有效的 JSON（{exc.msg}，第 {exc.colno} 列）"


def _entries(text: str) -> list[Entry]:
    """A JSON array of envelopes (one that does not parse refuses the whole file), or one envelope per line (JSON
    Lines: a line that does not parse is refused alone)."""
    if text.lstrip().startswith("["):
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError as exc:
            raise click.ClickException(f"第 {exc.lineno} 行：{_not_json(exc)}，未导入任何报文 (nothing imported)") \
                from exc
        items = loaded if isinstance(loaded, list) else [loaded]
        return [Entry(f"第 {n} 条", item) for n, item in enumerate(items, 1)]
    entries = []
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            entries.append(Entry(f"第 {n} 行", json.loads(line)))
        except json.JSONDecodeError as exc:
            entries.append(Entry(f"第 {n} 行", problem=_not_json(exc)))
    return entries


def _import(system: str, entry: Entry) -> str:
    """One message received in a transaction of its own: its outcome (applied, rejected, conflict, duplicate,
    refused), a refusal or a rejection told with its place in the file."""
    if entry.problem:
        click.echo(f"{entry.where} refused: {entry.problem}", err=True)
        return "refused"
    try:
        received = transactional(receive)(system, entry.envelope, "file")
    except DomainError as exc:
        click.echo(f"{entry.where} refused: {exc.message} ({exc.code})", err=True)
        return "refused"
    if received.duplicate:
        return "duplicate"
    message = received.message
    if message.status != InboundStatus.APPLIED:
        click.echo(f"{entry.where} {message.status} ({message.result_code}): {message.result_message}", err=True)
    return str(message.status)


@group.command("import")
@click.argument("system", type=click.Choice(sorted(SYSTEMS)))
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_file(system: str, path: Path) -> None:
    """Import a batch file of messages from SYSTEM (下行导入 and bulk loads): each message is received as
    over HTTP (stored, validated, applied once), in a transaction of its own. A line that is not a message is
    refused with its line number, the others imported; the exit status is 1 when any was refused."""
    counts: dict[str, int] = {}
    for entry in _entries(_text(path)):
        key = _import(system, entry)
        counts[key] = counts.get(key, 0) + 1
    click.echo(", ".join(f"{key} {n}" for key, n in sorted(counts.items())) or "no messages")
    if counts.get("refused"):
        raise click.exceptions.Exit(1)
