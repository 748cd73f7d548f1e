"""What a deploy reads: the server's bpmn/ and forms/ folders, or files posted by an analyst (API, pages),
with the registry's handler, choice and validator names and the runtime's script functions.

Posted files are bounded: at most MAX_FILES, each at most MAX_FILE_BYTES, named `bpmn/<name>.bpmn`,
`bpmn/<name>.dmn`, `bpmn/lanes.json` or `forms/<name>.json`; anything else is a problem naming the file.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.engine import BundleInput
from app.errors import DeployError, Message
from app.models import Role
from app.services.deadlines.limits import check_limit_property, check_process_property
from app.services.procedures.registry import choice_names, handler_names, handler_provides, validator_names
from app.services.tasks.rows import SCOPES_OF_ROLE

MAX_FILES = 100
MAX_FILE_BYTES = 1024 * 1024  # the shipped diagrams are 10-40 KB, their forms 1-10 KB
LANES_FILE = "bpmn/lanes.json"
FILE_NAME = re.compile(r"^(bpmn/[A-Za-z0-9_\-][A-Za-z0-9_.\-]{0,99}\.(bpmn|dmn)|bpmn/lanes\.json"
                       r"|forms/[A-Za-z0-9_\-][A-Za-z0-9_.\-]{0,99}\.json)$")
Problem = dict[str, str | None]


def _environment() -> dict[str, Any]:
    """The names a bundle may refer to, as this server registers them."""
    return {"handler_names": handler_names(), "roles": {r.value for r in Role},
            "task_property_check": _check_task_property, "process_property_check": check_process_property,
            "choice_names": choice_names(), "script_functions": _script_functions(),
            "handler_provides": handler_provides(), "role_scopes": SCOPES_OF_ROLE}


def read_bundle_input(bpmn_dir: str | Path, forms_dir: str | Path) -> BundleInput:
    bpmn_path, forms_path = Path(bpmn_dir), Path(forms_dir)
    lanes_file = bpmn_path / "lanes.json"
    lanes = json.loads(lanes_file.read_text("utf-8")) if lanes_file.exists() else {}
    return BundleInput(
        bpmn={p.name: p.read_bytes() for p in sorted(bpmn_path.glob("*.bpmn"))},
        dmn={p.name: p.read_bytes() for p in sorted(bpmn_path.glob("*.dmn"))},
        forms={p.name: p.read_text("utf-8") for p in sorted(forms_path.glob("*.json"))},
        lanes=lanes, **_environment())


def file_problems(files: dict[str, Any]) -> list[Problem]:
    """Names, types and sizes of posted files."""
    if len(files) > MAX_FILES:
        return [{"file": None, "element": None, "problem": Message("文件过多（最多 {most} 个）", most=MAX_FILES)}]
    problems: list[Problem] = []
    for name, text in sorted(files.items()):
        if not isinstance(name, str) or not FILE_NAME.match(name):
            problems.append({"file": str(name)[:200], "element": None, "problem":
                             "不允许的文件名：只能是 bpmn/*.bpmn、bpmn/*.dmn、bpmn/lanes.json 或 forms/*.json"})
        elif not isinstance(text, str):
            problems.append({"file": name, "element": None, "problem": "文件内容须为文本"})
        elif _too_large(text):
            problems.append({"file": name, "element": None,
                             "problem": Message("文件过大（最多 {most} KB）", most=MAX_FILE_BYTES // 1024)})
    return problems


def _too_large(text: str) -> bool:
    """More than MAX_FILE_BYTES in UTF-8, without encoding a text that is too long in characters already (a
    20 MB file is not copied again to be measured)."""
    if len(text) > MAX_FILE_BYTES:
        return True
    return len(text) * 4 > MAX_FILE_BYTES and len(text.encode("utf-8")) > MAX_FILE_BYTES


def _lanes(text: str | None) -> dict[str, Any]:
    if text is None:
        return {}
    try:
        lanes = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DeployError([{"file": LANES_FILE, "element": None,
                            "problem": Message("泳道映射不是有效的 JSON: {error}", error=str(exc))}]) from exc
    if not isinstance(lanes, dict):
        raise DeployError([{"file": LANES_FILE, "element": None, "problem": "泳道映射须为 JSON 对象"}])
    return lanes


def bundle_input_from_files(files: dict[str, str]) -> BundleInput:
    """A bundle from posted files (file name -> text); DeployError naming each file that is refused."""
    problems = file_problems(files)
    if problems:
        raise DeployError(problems)
    return BundleInput(
        bpmn={n[len("bpmn/"):]: t.encode("utf-8") for n, t in files.items() if n.endswith(".bpmn")},
        dmn={n[len("bpmn/"):]: t.encode("utf-8") for n, t in files.items() if n.endswith(".dmn")},
        forms={n[len("forms/"):]: t for n, t in files.items() if n.startswith("forms/")},
        lanes=_lanes(files.get(LANES_FILE)), **_environment())


def posted_name(file: str | None) -> str | None:
    """A problem's file as the caller named it (deploy names diagrams without their folder)."""
    if file and "/" not in file and file.endswith((".bpmn", ".dmn")):
        return f"bpmn/{file}"
    return file


def _script_functions() -> dict[str, Callable[..., Any]]:
    """The functions the step pipeline's engine offers scripts and timers: deploy evaluates timers with them."""
    from app.services.steps import ENGINE  # steps imports versions, which imports the deploy

    return dict(ENGINE.script_functions)


def _check_task_property(name: str, value: str) -> str | None:
    if name == "validator" and value not in validator_names():
        return Message("未注册的表单校验程序 (unknown validator) '{name}'", name=value)
    return check_limit_property(name, value)
