"""The builtins scripts call that build, copy or walk in C, each bounded and charged to the evaluation's Budget.

`isinstance(x, list)` keeps working: each wrapper carries the type it stands for (`guarded_type`).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from app.engine.script_guards import Abort, Budget, size_units

MAX_INT_DIGITS = 4300  # int("…") of a longer string (CPython's default limit, not relied upon)
MAX_ROUND_DIGITS = 100  # round(5, -10**9) computes 10**(10**9)


def _counted(budget: Budget, iterable: Any) -> Iterator[Any]:
    """The items of `iterable` one by one, each charged (a sized one's length checked first)."""
    if hasattr(iterable, "__len__"):
        budget.length(len(iterable))
    for item in iterable:
        budget.charge()
        yield item


def _keys(items: Any) -> Any:
    """The keys dict() is given: a mapping's, or the first of each pair."""
    if isinstance(items, dict):
        return items.keys()
    return [pair[0] for pair in items if isinstance(pair, list | tuple) and pair]


def _real(cls: Any) -> Any:
    if isinstance(cls, tuple):
        return tuple(_real(c) for c in cls)
    return getattr(cls, "guarded_type", cls)


def _typed(wrapper: Callable[..., Any], cls: type) -> Callable[..., Any]:
    wrapper.guarded_type = cls  # type: ignore[attr-defined]
    return wrapper


def _collections(budget: Budget) -> dict[str, Any]:
    def copying(cls: type, walks: bool) -> Callable[..., Any]:
        def build(iterable: Any = (), **kwargs: Any) -> Any:
            items = budget.consume(iterable)
            if walks or kwargs:
                budget.weigh(items)  # set/dict hash their items
                budget.hashes(_keys(items) if cls is dict else items)
            return cls(items, **kwargs)
        return _typed(build, cls)

    def ordered(pick: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            items = budget.consume(args[0]) if len(args) == 1 else args
            budget.weigh(items)  # compared with each other
            return pick(items, **kwargs)
        return call

    def total(iterable: Any, start: Any = 0) -> Any:
        if not isinstance(start, int | float):
            raise TypeError("sum 仅用于数字求和 (sum adds numbers only)")
        return sum(budget.consume(iterable), start)

    def any_(iterable: Any) -> bool:
        return any(item for item in _counted(budget, iterable))

    def all_(iterable: Any) -> bool:
        return all(item for item in _counted(budget, iterable))

    return {"list": copying(list, False), "tuple": copying(tuple, False), "set": copying(set, True),
            "frozenset": copying(frozenset, True), "dict": copying(dict, True), "sorted": ordered(sorted),
            "min": ordered(min), "max": ordered(max), "sum": total, "any": any_, "all": all_,
            "enumerate": enumerate, "zip": zip, "len": len}


def _texts(budget: Budget) -> dict[str, Any]:
    def text(convert: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            for arg in args:
                budget.weigh(arg)  # printed whole
            result = convert(*args, **kwargs)
            budget.charge(size_units(result))
            return result
        return call

    def hashed(value: Any) -> int:
        budget.weigh(value)
        return hash(value)

    return {"str": _typed(text(str), str), "repr": text(repr), "hash": hashed}


def _numbers(budget: Budget, binop: Callable[[str, Any, Any], Any]) -> dict[str, Any]:
    def integer(value: Any = 0, *args: Any) -> int:
        if isinstance(value, str | bytes) and len(value) > MAX_INT_DIGITS:
            raise ValueError(f"数字字符串过长 (over {MAX_INT_DIGITS} digits)")
        return int(value, *args)

    def power(base: Any, exp: Any, mod: Any = None) -> Any:
        return binop("**", base, exp) if mod is None else pow(base, exp, mod)

    def rounded(number: Any, ndigits: Any = None) -> Any:
        if ndigits is None:
            return round(number)
        if isinstance(ndigits, int) and abs(ndigits) > MAX_ROUND_DIGITS:
            raise Abort(f"round 的位数不得超过 {MAX_ROUND_DIGITS} (ndigits too large)")
        return round(number, ndigits)

    def span(*args: Any) -> range:
        r = range(*args)
        try:
            budget.length(len(r), "range 长度")
        except OverflowError:
            raise Abort("脚本 range 长度过大 (too large)") from None
        return r

    return {"int": _typed(integer, int), "pow": power, "round": rounded, "range": _typed(span, range)}


def guarded_builtins(budget: Budget, binop: Callable[[str, Any, Any], Any]) -> dict[str, Any]:
    """The bounded builtins of one evaluation (on top of RestrictedPython's safe ones)."""
    def isinstance_(obj: Any, cls: Any) -> bool:
        return isinstance(obj, _real(cls))

    def issubclass_(sub: Any, cls: Any) -> bool:
        return issubclass(_real(sub), _real(cls))

    return {**_collections(budget), **_texts(budget), **_numbers(budget, binop), "isinstance": isinstance_,
            "issubclass": issubclass_}
