"""Work a long-running process hands to a child process, so as not to keep what it loads.

A server builds its index when it starts, when the corpus changes (`--watch`) and on
`POST /index/rebuild`. Embedding documents opens a second onnxruntime session with a
thread per core and a memory arena sized for long batches; exporting the model to ONNX
imports torch. Done in the server's own process, all of it stays resident for the
server's life (measured: 500 MB after a start that built the analysis, against 250 MB on
a built index). Done in a child, it is returned to the system when the child exits; the
server keeps only the vectors.

The child is a fresh `python -m qa.apart` (not `multiprocessing`, whose spawned children
import the parent's main script again: a script that builds at import would then wait for
its own build's lock). The call and its result travel pickled over the child's stdin and
stdout; the child's own output goes to stderr, which it shares with the parent.
"""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from qa.errors import BuildFailed

T = TypeVar("T")


def run_apart(fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` run in a fresh child process: its result, or its exception raised here.

    `fn` must be a module-level function, and its arguments and result picklable. A child
    that dies (killed, out of memory) raises BuildFailed."""
    level = logging.getLogger().getEffectiveLevel()  # the child logs as this process does
    proc = subprocess.run([sys.executable, "-m", "qa.apart"],
                          input=pickle.dumps((level, fn, args)), stdout=subprocess.PIPE,
                          check=False)
    try:
        ok, value = pickle.loads(proc.stdout)
    except Exception as e:  # nothing readable came back: the child died
        raise BuildFailed(f"the build's child process ended with status {proc.returncode} "
                          "before it finished; the live index is kept") from e
    if not ok:
        raise value
    return value


def _child() -> int:
    """Read the call from stdin, run it, write (True, result) or (False, exception)."""
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # what fn prints goes to stderr
    level, fn, args = pickle.loads(sys.stdin.buffer.read())
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    try:
        reply = pickle.dumps((True, fn(*args)))
    except Exception as e:  # noqa: BLE001 - handed to the parent, which raises it
        try:
            reply = pickle.dumps((False, e))
        except Exception:  # noqa: BLE001 - an exception that does not pickle: its words
            reply = pickle.dumps((False, BuildFailed(f"the build failed: {e!r}")))
    channel.write(reply)
    channel.close()
    return 0


if __name__ == "__main__":
    sys.exit(_child())
