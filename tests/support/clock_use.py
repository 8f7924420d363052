"""Which tests read the app's clock, so that `--clock=matrix` runs just those at every instant.

A test reads the clock when it asks for a fixture that does (a test client or CLI runner: pages and
commands read it), or when its body, or a helper or fixture of its module that it calls, calls one of
CLOCK_READERS. Tests that pass a fixed `now` to services give the same result at every instant, so
running them again would only cost time.
"""

from __future__ import annotations

import ast
import functools
import inspect
from types import ModuleType

CLOCK_FIXTURES = frozenset({"client", "runner", "phone"})
CLOCK_READERS = frozenset({"from_now", "utcnow", "clock_env", "send_due", "tick", "log_in", "csrf_token"})


@functools.cache
def _module_functions(module: ModuleType) -> dict[str, ast.FunctionDef]:
    tree = ast.parse(inspect.getsource(module))
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


def _names_used(node: ast.FunctionDef) -> set[str]:
    called = set()
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            if isinstance(call.func, ast.Name):
                called.add(call.func.id)
            elif isinstance(call.func, ast.Attribute):
                called.add(call.func.attr)
    return called | {arg.arg for arg in node.args.args}


def reads_the_clock(function, fixturenames) -> bool:
    if CLOCK_FIXTURES & set(fixturenames):
        return True
    functions = _module_functions(inspect.getmodule(function))
    seen: set[str] = set()
    todo = [function.__name__, *fixturenames]
    while todo:
        name = todo.pop()
        if name in CLOCK_READERS:
            return True
        if name in seen or name not in functions:
            continue
        seen.add(name)
        todo.extend(_names_used(functions[name]))
    return False
