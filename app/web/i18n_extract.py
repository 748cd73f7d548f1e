"""A Babel extraction method for our Python code: every Chinese string literal is a message id.

Services, handlers and the engine speak Chinese without marking their strings (a refusal's text, a
status's name, a table's column title), and the pages translate them when they show them (`i18n.gettext`
looks any text up). Extracting every Chinese literal but docstrings, XML or regex literals and the
literal parts of f-strings keeps the catalogue complete without markers in the services: a text built
with names is an errors.Message, whose template is a literal (so extracted) and whose values the pages fill
in. The list separators ("、", "；") are extracted too: errors.Listed translates them. Used by babel.cfg;
`make i18n` runs it. The procedures' forms and diagrams are not extracted: they carry their own English
(`title_en`, `nameEn`).
"""
from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import IO, Any

_CHINESE = re.compile(r"[\u4e00-\u9fff]")
# The separators a list in a message is joined by (errors.Listed): message ids too, translated ", " and "; ".
_SEPARATORS = frozenset({"、", "；"})
# Documents and patterns with Chinese inside, not messages: an XML template, a regular expression.
_NOT_TEXT = ("<?xml", "^")
_HAS_BODY = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def _skipped(tree: ast.AST) -> set[int]:
    """Docstrings and the constant pieces of f-strings, by node id."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, _HAS_BODY) and node.body and isinstance(node.body[0], ast.Expr) \
                and isinstance(node.body[0].value, ast.Constant):
            skipped.add(id(node.body[0].value))
        elif isinstance(node, ast.JoinedStr):
            skipped.update(id(value) for value in node.values)
    return skipped


def extract_chinese(fileobj: IO[bytes], keywords: Any, comment_tags: Any,
                    options: dict[str, Any]) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Babel's extraction interface: (line, function name, message, comments) per Chinese literal."""
    tree = ast.parse(fileobj.read().decode(options.get("encoding", "utf-8")))
    skipped = _skipped(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped \
                and (_CHINESE.search(node.value) or node.value in _SEPARATORS) and not node.value.startswith(_NOT_TEXT):
            yield node.lineno, None, node.value, []
