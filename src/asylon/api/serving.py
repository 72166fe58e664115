"""Serving the application over HTTP: one process, or worker processes that share the connections evenly.

With several workers uvicorn binds one socket in its supervisor and every worker accepts from it. The kernel
wakes waiting workers last-in first-out, so a burst of new connections lands mostly on one of them: with 16
clients and 2 workers the split was 15/1, 13/3, 12/4 and 8/8 over four runs, and the busy worker saturated its
core while the other idled. On Linux each worker here binds a listening socket of its own into a
``SO_REUSEPORT`` group instead, and the kernel spreads new connections over the group by their addresses.
uvicorn has no option for this yet (encode/uvicorn#2472), so the listener handed to its supervisor is a
description that becomes a freshly bound socket in each worker, restarted workers included.
"""

from __future__ import annotations

import logging
import socket
import sys
from dataclasses import dataclass
from typing import Any, cast

APP = "asylon.api.app:create_app"

logger = logging.getLogger("uvicorn.error")


def run(*, host: str, port: int, workers: int = 1, log_level: str = "info", access_log: bool = True) -> None:
    """Serve :data:`APP` until stopped (SIGINT or SIGTERM)."""
    import uvicorn

    if workers <= 1 or not balanced_listeners_supported(port):
        uvicorn.run(APP, factory=True, host=host, port=port, workers=workers, log_level=log_level,
                    access_log=access_log)
        return
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(APP, factory=True, host=host, port=port, workers=workers, log_level=log_level,
                            access_log=access_log)
    listener = BalancedListener(host, port, config.backlog)
    listener.check()
    logger.info("Uvicorn running on http://%s:%d with %d workers, connections balanced across them (Press CTRL+C "
                "to quit)", host, port, workers)
    # Multiprocess passes its "sockets" to each worker it starts; this one is unpickled there as a new socket.
    Multiprocess(config, sockets=cast(list[socket.socket], [listener])).run()


def balanced_listeners_supported(port: int) -> bool:
    """Whether workers can each have their own listener on ``port`` with the kernel balancing between them.

    Linux only: elsewhere ``SO_REUSEPORT`` lets sockets share a port without balancing connections between them.
    A port of 0 means "any free port", which would give every worker a different one.
    """
    return sys.platform == "linux" and hasattr(socket, "SO_REUSEPORT") and port != 0


@dataclass(frozen=True)
class BalancedListener:
    """Where a worker listens; pickled into each worker process, where it becomes a socket bound there."""

    host: str
    port: int
    backlog: int

    def __reduce__(self) -> tuple[Any, tuple[str, int, int]]:
        return (bind_balanced, (self.host, self.port, self.backlog))

    def check(self) -> None:
        """Bind once and let go, so that a port in use fails here, once, before any worker starts."""
        bind_balanced(self.host, self.port, self.backlog).close()


def bind_balanced(host: str, port: int, backlog: int) -> socket.socket:
    """A socket bound to ``host:port`` in the port's ``SO_REUSEPORT`` group (the server starts listening)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OSError(exc.errno, f"cannot listen on {host}:{port}: {exc.strerror}; choose another --port or stop "
                                 "what is using it") from exc
    sock.set_inheritable(True)
    return sock
