"""One evaluation's sandbox: the guards the compiled code calls and the builtins it sees, all on one Budget.

Builtins that build, copy or walk sequences in C (list, tuple, set, dict, sorted, sum, min, max, any, all,
str, repr, hash, range, int, pow, round) and the methods of str/bytes/list/dict/set reached through
`_getattr_` check sizes before they run and charge what they do (app/engine/script_guards.py has the limits).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from RestrictedPython import safe_builtins
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)

from app.engine.script_builtins import guarded_builtins
from app.engine.script_guards import (
    COMPARISONS,
    INPLACE,
    MAX_FORMAT_WIDTH,
    OPERATIONS,
    Abort,
    Budget,
    binop,
    size_units,
)

MAX_FUNCTION_INT = 100_000  # an integer passed to a runtime function (add_working_days(now(), 10**9) loops)
_UNSAFE_BUILTINS = {"__build_class__", "_getattr_", "setattr", "delattr", "complex", "BaseException",
                    "SystemExit", "KeyboardInterrupt", "GeneratorExit"}
SAFE_BUILTINS = {k: v for k, v in safe_builtins.items() if k not in _UNSAFE_BUILTINS}
REFUSED_STR_METHODS = {"expandtabs", "translate", "format", "format_map"}
WIDTH_STR_METHODS = {"ljust", "rjust", "center", "zfill"}
_NUMBERS = {int, float, bool}
_PLAIN = {str, int, float, bool, type(None)}  # compared without walking anything
_NO_WALK = {"append", "insert", "pop", "clear", "reverse", "keys", "values", "items", "popitem", "copy"}
_WALKS_SELF = {"sort", "index", "count", "remove"}
_GROWS = {"extend", "update"}


def _apply(function: Any, *args: Any, **kwargs: Any) -> Any:
    return function(*args, **kwargs)


class _Writable:
    """What `_write_(x)` gives for a list or dict: item assignment with its growth and keys checked."""

    __slots__ = ("_budget", "_target")
    _budget: Budget
    _target: Any

    def __init__(self, target: Any, budget: Budget) -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_budget", budget)

    def __setitem__(self, key: Any, value: Any) -> None:
        target, budget = self._target, self._budget
        if isinstance(key, slice):
            value = budget.consume(value)
            budget.length(len(target) - len(target[key]) + len(value))
        budget.weigh(key)
        target[key] = value

    def __delitem__(self, key: Any) -> None:
        del self._target[key]

    def __setattr__(self, name: str, value: Any) -> None:
        raise TypeError("不能给该对象设置属性 (attribute assignment is not allowed)")


class Sandbox:
    """The guards and builtins of one script or expression evaluation."""

    def __init__(self, functions: dict[str, Callable[..., Any]]) -> None:
        self.budget = Budget()
        self.functions = {name: self._runtime_function(f) for name, f in functions.items()}

    def globals(self) -> dict[str, Any]:
        g: dict[str, Any] = {
            "__builtins__": self.builtins(), "_getattr_": self.getattr, "_getitem_": self.getitem,
            "_getiter_": self.getiter, "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
            "_unpack_sequence_": guarded_unpack_sequence, "_write_": self.write, "_inplacevar_": self.inplacevar,
            "_binop_": self.binop, "_compare_": self.compare, "_cmpval_": self.walked, "_fmtval_": self.walked,
            "_key_": self.walked, "_star_": self.star, "_keys_": self.keys, "_tick_": self.tick, "_apply_": _apply,
        }
        g.update(self.functions)
        return g

    # -- guards the compiled code calls -------------------------------------------------------------
    def tick(self, value: Any = None) -> Any:
        self.budget.charge()
        return value

    def getiter(self, iterable: Any) -> Iterator[Any]:
        charge = self.budget.charge
        for item in iterable:
            charge()
            yield item

    def binop(self, op: str, a: Any, b: Any) -> Any:
        if type(a) in _NUMBERS and type(b) in _NUMBERS and op not in ("*", "**", "<<"):
            return OPERATIONS[op](a, b)
        return binop(self.budget, op, a, b, OPERATIONS[op])

    def inplacevar(self, op: str, target: Any, value: Any) -> Any:
        return binop(self.budget, op[:-1], target, value, INPLACE[op])

    def compare(self, op: str, a: Any, b: Any) -> Any:
        """`a op b`: with a plain side (a number, a string) nothing deep is compared; otherwise both sides are
        walked first (`x in items` with a structured `x` compares it with each item)."""
        if type(a) not in _PLAIN and (op in ("in", "not in") or type(b) not in _PLAIN):
            self.budget.weigh(a)
            self.budget.weigh(b)
        return COMPARISONS[op](a, b)

    def walked(self, value: Any) -> Any:
        """A value a deep operation is about to walk (compare, hash, format): its deep size checked."""
        if type(value) not in _PLAIN:
            self.budget.weigh(value)
        return value

    def star(self, iterable: Any) -> Any:
        items = self.budget.consume(iterable)
        self.budget.weigh(items)
        return items

    def keys(self, iterable: Any) -> Any:
        items = self.star(iterable)
        self.budget.hashes(items)
        return items

    def getitem(self, obj: Any, key: Any) -> Any:
        if isinstance(key, tuple):
            self.budget.weigh(key)
        result = obj[key]
        if isinstance(key, slice):
            self.budget.charge(size_units(result))
        return result

    def write(self, obj: Any) -> Any:
        return _Writable(obj, self.budget) if isinstance(obj, list | dict) else full_write_guard(obj)

    def getattr(self, obj: Any, name: str, default: Any = None) -> Any:
        real = getattr(obj, "guarded_type", None)
        if real is not None:  # dict.fromkeys, str.upper(x): through the type our wrapper stands for
            return self._type_attribute(real, name)
        value = safer_getattr(obj, name, default)
        if not callable(value):
            return value
        if isinstance(obj, str | bytes):
            return self._str_method(obj, name, value)
        if isinstance(obj, list | tuple | dict | set | frozenset):
            return self._container_method(obj, name, value)
        return value

    # -- methods ---------------------------------------------------------------------------------------
    def _type_attribute(self, real: type, name: str) -> Any:
        value = safer_getattr(real, name)
        if not callable(value):
            return value
        if getattr(value, "__self__", None) is real:  # a class method: dict.fromkeys(...)
            return self.getattr(real(), name)

        def unbound(target: Any, *args: Any, **kwargs: Any) -> Any:  # str.upper(x) is x.upper()
            if not isinstance(target, real):
                raise TypeError(f"{real.__name__}.{name} 需要 {real.__name__} 类型的参数")
            return self.getattr(target, name)(*args, **kwargs)
        return unbound

    def _str_method(self, text: Any, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        if name in REFUSED_STR_METHODS:
            raise Abort(f"不允许使用字符串方法 {name} (str.{name} is not allowed in process scripts)")
        budget = self.budget

        def call(*args: Any, **kwargs: Any) -> Any:
            budget.charge(size_units(text))
            if name in WIDTH_STR_METHODS and args and isinstance(args[0], int) and args[0] > MAX_FORMAT_WIDTH:
                raise Abort(f"{name} 的宽度不得超过 {MAX_FORMAT_WIDTH} (width too large)")
            if name == "replace" and len(args) >= 2:
                _check_replace(budget, text, *args)
            if name == "join" and args:
                args = (budget.consume(args[0]), *args[1:])
                budget.length(sum(len(i) for i in args[0] if isinstance(i, str | bytes))
                              + len(text) * max(len(args[0]) - 1, 0))
            result = method(*args, **kwargs)
            budget.charge(size_units(result) if isinstance(result, str | bytes | list | tuple) else 1)
            return result
        return call

    def _container_method(self, obj: Any, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        budget = self.budget

        def call(*args: Any, **kwargs: Any) -> Any:
            budget.charge()
            if name not in _NO_WALK:
                args = tuple(budget.consume(a) if isinstance(a, Iterator) else a for a in args)
                for arg in (*args, *kwargs.values()):
                    budget.weigh(arg)
            if name in _WALKS_SELF:
                budget.weigh(obj)
            if name in _GROWS and args and hasattr(args[0], "__len__"):
                budget.length(len(obj) + len(args[0]))
            if isinstance(obj, dict | set | frozenset) and name not in _NO_WALK:
                for arg in args:  # update, union, fromkeys ...: hashed in bulk
                    if hasattr(arg, "__iter__") and not isinstance(arg, str | bytes):
                        budget.hashes(arg)
            result = method(*args, **kwargs)
            if isinstance(result, list | tuple | dict | set | frozenset) and result is not obj:
                budget.charge(len(result))
            return result
        return call

    def _runtime_function(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """A function the runtime offers (add_working_days ...): its arguments bounded, the call charged."""
        def call(*args: Any, **kwargs: Any) -> Any:
            self.budget.charge()
            for arg in (*args, *kwargs.values()):
                self.budget.weigh(arg)
                if isinstance(arg, int) and abs(arg) > MAX_FUNCTION_INT:
                    raise Abort(f"函数参数过大: {arg} (over {MAX_FUNCTION_INT})")
            return function(*args, **kwargs)
        return call

    # -- builtins --------------------------------------------------------------------------------------
    def builtins(self) -> dict[str, Any]:
        return {**SAFE_BUILTINS, **guarded_builtins(self.budget, self.binop)}


def _check_replace(budget: Budget, text: Any, old: Any, new: Any, count: Any = -1) -> None:
    if not isinstance(old, str | bytes) or not isinstance(new, str | bytes):
        return  # the method raises its own TypeError
    found = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    budget.length(len(text) + found * (len(new) - len(old)))
