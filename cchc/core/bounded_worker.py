"""The child side of ``cchc.core.uploads.run_bounded``: caps its own memory, runs one function on
the pickled arguments from stdin, and writes ``(status, value)`` pickled to stdout.

It imports only the function's module (no Django, no database), so a parser that blows up or is
killed takes nothing of the web process with it."""

import importlib
import pickle
import resource
import sys


def _cap_memory(memory_mb: int) -> None:
    cap = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def _cap_cpu(seconds: float) -> None:
    # A backstop if the parent is gone and cannot kill us; wall-clock time is the parent's job.
    limit = int(seconds) + 5
    resource.setrlimit(resource.RLIMIT_CPU, (limit, limit + 5))


def main() -> None:
    request = pickle.loads(sys.stdin.buffer.read())
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # stray prints from a library must not corrupt the result
    _cap_cpu(request["seconds"])
    try:
        module_name, func_name = request["func"].split(":")
        func = getattr(importlib.import_module(module_name), func_name)
        _cap_memory(request["memory_mb"])
        result = ("ok", func(*request["args"], **request["kwargs"]))
    except MemoryError:
        result = ("memory", None)
    except Exception as exc:  # noqa: BLE001 - handed to the parent, which raises it again
        result = ("raised", exc)
    try:
        data = pickle.dumps(result)
    except Exception:  # noqa: BLE001 - an exception that cannot be pickled still reports its text
        data = pickle.dumps(("raised", RuntimeError(str(result[1]))))
    out.write(data)
    out.flush()


if __name__ == "__main__":
    main()
