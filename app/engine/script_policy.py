"""The compile-time half of the script sandbox: RestrictedPython's policy, plus our refusals and guard calls.

RestrictedPython already refuses imports of `_`-names, `exec`/`eval`, and routes attribute, item and loop
access through guards. On top of that this policy:
- refuses `while` (no budget point), `import`, class definitions, bare `except:` (it would catch the budget's
  abort), and f-string format specs that are not constants or ask for widths over MAX_FORMAT_WIDTH;
- turns every binary operator into `_binop_(op, a, b)`, so `*`, `**`, `<<`, `+` and `%` can refuse a result
  too large before it is computed (augmented assignment already goes through `_inplacevar_`);
- wraps what deep operations walk: comparisons (`_compare_`, or each operand of a chained one: `_cmpval_`),
  f-string values (`_fmtval_`), keys of dict and set displays and comprehensions (`_key_`: hashing a nested
  tuple walks it), and `*x` / `**x` expansions (`_star_`: they copy; `_keys_` in a set display: they hash);
- makes every call of a function or lambda the script defines pay one budget unit (`_tick_`), so recursion
  counts like a loop.
The run-time half (the guards themselves) is app/engine/script_guards.py.
"""
from __future__ import annotations

import ast
import re
from typing import Any

from RestrictedPython import RestrictingNodeTransformer

MAX_FORMAT_WIDTH = 1000  # widths and precisions in format specs ("%1000d", f"{x:>1000}")

OPERATORS: dict[type, str] = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**",
    ast.LShift: "<<", ast.RShift: ">>", ast.BitOr: "|", ast.BitXor: "^", ast.BitAnd: "&", ast.MatMult: "@",
}
COMPARISONS: dict[type, str] = {
    ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.In: "in",
    ast.NotIn: "not in",
}
_NUMBER = re.compile(r"\d+")


def _call(name: str, args: list[Any], like: Any) -> ast.Call:
    call = ast.copy_location(ast.Call(func=ast.Name(name, ast.Load()), args=args, keywords=[]), like)
    return ast.fix_missing_locations(call)  # new nodes (the name, an operator constant) take the call's place


def _guarded(name: str, node: Any) -> Any:
    """`node` wrapped in a guard call, unless it is a constant (nothing to check)."""
    if node is None or isinstance(node, ast.Constant | ast.Starred):
        return node
    return _call(name, [node], node)


class ScriptPolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy plus the refusals and guard calls described in the module docstring."""

    def visit_While(self, node: Any) -> Any:
        self.error(node, '不允许使用 "while" 循环 ("while" loops are not allowed in process scripts)')
        return node

    def visit_Import(self, node: Any) -> Any:
        self.error(node, '不允许 import (imports are not allowed in process scripts)')
        return node

    visit_ImportFrom = visit_Import

    def visit_ClassDef(self, node: Any) -> Any:
        self.error(node, "不允许定义类 (class definitions are not allowed in process scripts)")
        return node

    def visit_ExceptHandler(self, node: Any) -> Any:
        if node.type is None:
            self.error(node, '不允许裸 except，请写 "except Exception" (a bare except is not allowed)')
        return super().visit_ExceptHandler(node)

    def visit_BinOp(self, node: Any) -> Any:
        node = self.node_contents_visit(node)
        return _call("_binop_", [ast.Constant(OPERATORS[type(node.op)]), node.left, node.right], node)

    def visit_Compare(self, node: Any) -> Any:
        node = self.node_contents_visit(node)
        if all(isinstance(op, ast.Is | ast.IsNot) for op in node.ops):
            return node  # identity: nothing is walked
        if len(node.ops) == 1:  # the usual `decision == "approve"`: the guard sees both sides and the operator
            return _call("_compare_", [ast.Constant(COMPARISONS[type(node.ops[0])]), node.left,
                                       node.comparators[0]], node)
        node.left = _guarded("_cmpval_", node.left)  # chained: each operand checked, evaluated once
        node.comparators = [_guarded("_cmpval_", c) for c in node.comparators]
        return node

    def visit_FormattedValue(self, node: Any) -> Any:
        node = self.node_contents_visit(node)
        spec = node.format_spec
        if spec is not None:
            parts = getattr(spec, "values", [])
            if not all(isinstance(p, ast.Constant) and isinstance(p.value, str) for p in parts):
                self.error(node, "f-string 的格式说明须为常量 (format specs must be constants)")
            elif any(int(n) > MAX_FORMAT_WIDTH for p in parts for n in _NUMBER.findall(p.value)):
                self.error(node, f"f-string 的宽度或精度不得超过 {MAX_FORMAT_WIDTH} (format width too large)")
        node.value = _guarded("_fmtval_", node.value)
        return node

    def visit_Starred(self, node: Any) -> Any:
        node = self.node_contents_visit(node)
        if isinstance(node.ctx, ast.Load):
            node.value = _call("_star_", [node.value], node.value)
        return node

    def visit_Dict(self, node: Any) -> Any:
        node = self.node_contents_visit(node)
        for i, key in enumerate(node.keys):
            if key is None:  # {**other}
                node.values[i] = _call("_star_", [node.values[i]], node.values[i])
            else:
                node.keys[i] = _guarded("_key_", key)
        return node

    def visit_Set(self, node: Any) -> Any:
        node = self.node_contents_visit(node)
        for element in node.elts:
            if isinstance(element, ast.Starred) and isinstance(element.value, ast.Call):  # {*items}: hashed
                element.value.func = ast.copy_location(ast.Name("_keys_", ast.Load()), element.value.func)
        node.elts = [_guarded("_key_", e) for e in node.elts]
        return node

    def visit_SetComp(self, node: Any) -> Any:
        node = super().visit_SetComp(node)
        node.elt = _guarded("_key_", node.elt)
        return node

    def visit_DictComp(self, node: Any) -> Any:
        node = super().visit_DictComp(node)
        node.key = _guarded("_key_", node.key)
        return node

    def visit_keyword(self, node: Any) -> Any:
        node = self.node_contents_visit(node)
        if node.arg is None:  # f(**other)
            node.value = _call("_star_", [node.value], node.value)
        return node

    def visit_FunctionDef(self, node: Any) -> Any:
        node = super().visit_FunctionDef(node)
        node.body.insert(0, ast.copy_location(ast.Expr(_call("_tick_", [], node)), node))
        return node

    def visit_Lambda(self, node: Any) -> Any:
        node = super().visit_Lambda(node)
        node.body = _call("_tick_", [node.body], node.body)
        return node
