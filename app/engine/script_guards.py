"""The run-time half of the script sandbox: a budget per evaluation and the guards the compiled code calls.

One script or expression evaluation gets a Budget: MAX_WORK units (a loop iteration or a call of a function
the script defines is one unit; building, copying or walking a sequence costs its length, a string one unit
per 16 characters) and MAX_SECONDS of the thread's CPU time, read every CLOCK_EVERY units charged (CPU, not wall-clock,
time: a loaded machine or a garbage collection of a big heap must not refuse a three-line script, and a
frozen test clock does not stop it). Single operations are
bounded before they run: no str/bytes/list/tuple/dict/set/range longer than MAX_LENGTH, no int wider than
MAX_INT_BITS from `*`, `**` or `<<`, no format width over MAX_FORMAT_WIDTH, and nothing deep-walked (compared,
hashed, printed, formatted, stored into the case's data) whose deep size, shared references counted each time
they are reached, exceeds MAX_WEIGHT or whose nesting exceeds MAX_DEPTH.

Exceeding any of it raises Abort, a BaseException a script's `except Exception` cannot swallow; the
environment (app/engine/scripting.py) turns it into ScriptBudgetExceeded with its Chinese message.
"""
from __future__ import annotations

import gc
import operator
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from app.engine.script_policy import MAX_FORMAT_WIDTH

MAX_WORK = 1_000_000
MAX_SECONDS = 1.0
CLOCK_EVERY = 256  # units charged between two reads of the CPU clock
MAX_LENGTH = 1_000_000
MAX_WEIGHT = 200_000
MAX_DEPTH = 100
MAX_INT_BITS = 4096
MAX_SAME_HASH = 64
CHARS_PER_UNIT = 16

_VIEWS: tuple[type, ...] = (type({}.keys()), type({}.values()), type({}.items()))
_WALKED = (list, tuple, set, frozenset, *_VIEWS)  # and dict: the containers a deep operation walks
_SIZED = (str, bytes, list, tuple, dict, set, frozenset, range, *_VIEWS)
_WALKED_TYPES = frozenset(_WALKED)
_PLAIN = (str, int, float, bool, type(None))  # compared or formatted without walking anything
_PERCENT = re.compile(rb"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
OPERATIONS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "//": operator.floordiv,
    "%": operator.mod, "**": operator.pow, "<<": operator.lshift, ">>": operator.rshift, "|": operator.or_,
    "^": operator.xor, "&": operator.and_, "@": operator.matmul,
}
COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "in": lambda a, b: a in b, "not in": lambda a, b: a not in b,
}
INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "**=": operator.ipow, "<<=": operator.ilshift,
    ">>=": operator.irshift, "|=": operator.ior, "^=": operator.ixor, "&=": operator.iand, "@=": operator.imatmul,
}


class Abort(BaseException):
    """A script went over its budget or asked for too big an operation (message in Chinese)."""


def _length(value: Any) -> int:
    return len(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int)


def size_units(value: Any) -> int:
    """Budget units of building or copying `value` (shallow)."""
    if isinstance(value, str | bytes):
        return 1 + len(value) // CHARS_PER_UNIT
    return _length(value) if isinstance(value, _SIZED) else 1


class _Collections(threading.local):
    """CPU time this thread spent in the cyclic garbage collector: a full collection of a big heap, triggered
    by whatever allocation comes during a script (over a second in a long-lived worker), is not the script's."""

    seconds = 0.0
    started: float | None = None


_collections = _Collections()


def _time_collections(phase: str, _info: dict[str, Any]) -> None:
    if phase == "start":
        _collections.started = time.thread_time()
    elif _collections.started is not None:
        _collections.seconds += time.thread_time() - _collections.started
        _collections.started = None


gc.callbacks.append(_time_collections)


def _script_clock() -> float:
    """The thread's CPU time less what its garbage collections took."""
    return time.thread_time() - _collections.seconds


class Budget:
    """The work and time one evaluation may spend."""

    __slots__ = ("deadline", "next_clock_check", "work")

    def __init__(self) -> None:
        self.work = 0
        self.next_clock_check = 0
        self.deadline = _script_clock() + MAX_SECONDS

    def charge(self, units: int = 1) -> None:
        self.work += units
        if self.work > MAX_WORK:
            raise Abort(f"脚本运算量超出限制 (over {MAX_WORK} steps; script exceeded its budget)")
        # Reading the thread's CPU clock is a system call (~0.5 µs): read it every CLOCK_EVERY units and
        # whenever the caller asks with charge(0) during a long C-level walk.
        if self.work >= self.next_clock_check or not units:
            self.next_clock_check = self.work + CLOCK_EVERY
            if _script_clock() > self.deadline:
                raise Abort(f"脚本运行超时 (over {MAX_SECONDS:g} s; script exceeded its budget)")

    def length(self, length: int, what: str = "结果") -> None:
        """Refuse building something longer than MAX_LENGTH (before it is built)."""
        if length > MAX_LENGTH:
            raise Abort(f"脚本{what}过大: {length} > {MAX_LENGTH} (too large)")

    def weigh(self, value: Any) -> int:
        """The deep size of `value` (shared references counted each time they are reached), walking at most
        MAX_WEIGHT of it and MAX_DEPTH deep; the nodes walked are charged."""
        kind = type(value)
        if kind is str or kind is bytes:
            return 1 + len(value) // CHARS_PER_UNIT
        if kind not in _WALKED_TYPES and not isinstance(value, (dict, *_WALKED)):
            return 1  # a number, a date, a generator (never consumed here) ...
        total, walked, stack = 0, 0, [iter((value,))]
        while stack:
            item = next(stack[-1], stack)  # the stack itself marks the end of an iterator
            if item is stack:
                stack.pop()
                continue
            walked += 1
            total += _units_pushing(item, stack)
            if total > MAX_WEIGHT:
                raise Abort(f"脚本数据过大 (deep size over {MAX_WEIGHT}; shared parts count each time)")
            if len(stack) > MAX_DEPTH:
                raise Abort(f"脚本数据嵌套过深 (nested deeper than {MAX_DEPTH})")
            if walked & 0x1FFF == 0:
                self.charge(0)  # the deadline, during a long walk
        self.charge(walked)
        return total

    def hashes(self, keys: Any) -> None:
        """Refuse hashing `keys` in bulk (a set, dict or union built in C) when many share one hash value:
        n keys with one hash cost n² comparisons (ints, floats and tuples have predictable hashes)."""
        counts: dict[int, int] = {}
        for key in keys:
            try:
                value = hash(key)
            except TypeError:
                continue  # the operation raises its own error
            counts[value] = counts.get(value, 0) + 1
            if counts[value] > MAX_SAME_HASH:
                raise Abort(f"脚本数据的哈希值大量重复 (over {MAX_SAME_HASH} keys share a hash)")
        self.charge(len(counts))

    def consume(self, iterable: Any) -> Any:
        """`iterable` itself when it is sized (its length checked and charged), else its items in a list,
        each charged, at most MAX_LENGTH: for the builtins that iterate in C."""
        if isinstance(iterable, _SIZED):
            n = _length(iterable)
            self.length(n)
            self.charge(n)
            return iterable
        items = []
        for item in iterable:
            self.charge()
            items.append(item)
            self.length(len(items))
        return items


def _units_pushing(item: Any, stack: list[Any]) -> int:
    """The units of one item of a walk; a container's items are pushed to be walked next."""
    kind = type(item)
    if kind is str or kind is bytes:
        return 1 + len(item) // CHARS_PER_UNIT
    if kind is dict or (kind not in _WALKED_TYPES and isinstance(item, dict)):
        stack.append(_items(item))
    elif kind in _WALKED_TYPES or isinstance(item, _WALKED):
        stack.append(iter(item))
    return 1


def _items(mapping: dict[Any, Any]) -> Iterator[Any]:
    for key, value in mapping.items():
        yield key
        yield value


# -- operators ------------------------------------------------------------------------------------------

def _sequence_and_count(a: Any, b: Any) -> tuple[Any, int] | None:
    if isinstance(a, str | bytes | list | tuple) and _is_int(b):
        return a, b
    if isinstance(b, str | bytes | list | tuple) and _is_int(a):
        return b, a
    return None


def _check_int_bits(bits: int) -> None:
    if bits > MAX_INT_BITS:
        raise Abort(f"脚本整数过大 (over {MAX_INT_BITS} bits)")


def _check_mul(budget: Budget, a: Any, b: Any) -> None:
    repeated = _sequence_and_count(a, b)
    if repeated is not None:
        budget.length(len(repeated[0]) * max(repeated[1], 0))
    elif _is_int(a) and _is_int(b):
        _check_int_bits(a.bit_length() + b.bit_length())


def _check_pow(budget: Budget, a: Any, b: Any) -> None:
    if _is_int(a) and _is_int(b) and b > 0 and abs(a) > 1:
        _check_int_bits(a.bit_length() * b)


def _check_lshift(budget: Budget, a: Any, b: Any) -> None:
    if _is_int(a) and _is_int(b) and a != 0:
        _check_int_bits(a.bit_length() + max(b, 0))


def _check_add(budget: Budget, a: Any, b: Any) -> None:
    if isinstance(a, str | bytes | list | tuple) and isinstance(b, str | bytes | list | tuple):
        budget.length(len(a) + len(b))


def check_percent_format(budget: Budget, template: Any, args: Any) -> None:
    """`template % args` for str/bytes: no `*` widths, no width or precision over MAX_FORMAT_WIDTH, the
    arguments walked (they are printed)."""
    raw = template.encode("utf-8", "replace") if isinstance(template, str) else template
    for width, precision in _PERCENT.findall(raw):
        for number in (width, precision):
            if number == b"*" or (number and int(number) > MAX_FORMAT_WIDTH):
                raise Abort(f"格式宽度或精度须为不超过 {MAX_FORMAT_WIDTH} 的常数 (format width too large)")
    budget.weigh(args)


def _check_mod(budget: Budget, a: Any, b: Any) -> None:
    if isinstance(a, str | bytes):
        check_percent_format(budget, a, b)


PRECHECKS: dict[str, Callable[[Budget, Any, Any], None]] = {
    "*": _check_mul, "**": _check_pow, "<<": _check_lshift, "+": _check_add, "%": _check_mod,
}


def binop(budget: Budget, op: str, a: Any, b: Any, compute: Callable[[Any, Any], Any]) -> Any:
    """`compute(a, b)` for the operator `op` (plain or in-place), refused before it runs when its result would
    be too large, its result's size charged."""
    check = PRECHECKS.get(op)
    if check is not None:
        check(budget, a, b)
    for operand in (a, b):
        if isinstance(operand, (dict, set, frozenset, *_VIEWS)):  # unions and the like hash in C
            budget.hashes(operand)
    result = compute(a, b)
    if isinstance(result, _SIZED):
        budget.length(_length(result))
        budget.charge(size_units(result))
    return result
