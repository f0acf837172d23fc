"""Several server processes on one port (`reetrace serve --workers N`).

Each process listens on a socket of its own, all bound to the same address with `SO_REUSEPORT`,
so the kernel spreads new connections across them evenly. (On one shared socket, the process
that happens to be awake accepts up to a hundred waiting connections at once: measured with two
processes and 64 clients, one of them did four fifths of the work.) Each process builds the
application from the environment (`api.app.from_environment`) and queues for the store's write
lock with the others (`store.database`).

The parent only watches: on SIGINT or SIGTERM it stops every process; when one process ends on
its own, it stops the others and exits with an error rather than serve on with fewer; should the
parent itself be killed outright, the kernel ends every process it started.
"""

from __future__ import annotations

import multiprocessing as mp
import signal
import socket
from collections.abc import Sequence
from multiprocessing.process import BaseProcess
from types import FrameType

import uvicorn

from reetrace.errors import UsageError
from reetrace.services.workers import die_with_parent

APP = "reetrace.api.app:from_environment"
STOP_SECONDS = 30.0


def listening(host: str, port: int, count: int) -> list[socket.socket]:
    """`count` sockets listening on one address (`port` 0: one the kernel picks, for all).
    Refused when anything listens there already: sockets of another program (another server of
    this user, say) that also asked for `SO_REUSEPORT` would otherwise share the port with these,
    and the kernel would split the connections between the two."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    found: list[socket.socket] = []
    try:
        if port:
            with socket.socket(family, socket.SOCK_STREAM) as probe:  # no SO_REUSEPORT: any holder refuses it
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                probe.bind((host, port))
        for _ in range(count):
            sock = socket.socket(family, socket.SOCK_STREAM)
            found.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port))
            port = sock.getsockname()[1]
            sock.listen(2048)
            sock.set_inheritable(True)
    except OSError as exc:
        for sock in found:
            sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return found


def serve(sockets: list[socket.socket]) -> int:
    """Run one server process per socket until told to stop; the exit status."""
    spawn = mp.get_context("spawn")
    processes = [spawn.Process(target=_one, args=(sock,), name=f"reetrace-serve-{n}") for n, sock in enumerate(sockets)]
    for process in processes:
        process.start()
    for sock in sockets:
        sock.close()  # the processes hold their own
    stopping: list[int] = []

    def stop(signum: int, _frame: FrameType | None) -> None:
        stopping.append(signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        sentinels = {process.sentinel: process for process in processes}
        while not stopping:
            ended = mp.connection.wait(list(sentinels), timeout=0.5)
            if ended:
                break
        return 0 if stopping else 1
    finally:
        _stop_all(processes)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _stop_all(processes: Sequence[BaseProcess]) -> None:
    for process in processes:
        if process.is_alive():
            process.terminate()  # SIGTERM: uvicorn finishes the requests it holds, then ends
    for process in processes:
        process.join(STOP_SECONDS)
        if process.is_alive():
            process.kill()
            process.join()


def _one(sock: socket.socket) -> None:
    die_with_parent()  # a parent killed outright (SIGKILL) leaves no process serving on its own
    config = uvicorn.Config(APP, factory=True, log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])
