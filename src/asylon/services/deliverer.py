"""The deployment's one webhook deliverer: a :class:`~asylon.services.webhooks.WebhookWorker` that works only
while it holds the ``webhooks`` lease (:mod:`asylon.services.leases`).

Every ``asylon serve`` (and ``asylon feed deliver``) starts one; however many run against the same
database, one delivers and the others wait, trying the lease every ``retry`` seconds, and one of them
takes over within that time when the holder stops or dies. The lease is checked before every pass, so
a holder that lost it (its database connection dropped) stops before sending anything more.

Stopping is graceful: the pass under way (at most one attempt per subscription) is finished, then the
lease is given up, so the next holder starts from committed state.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine

from asylon.services.leases import Lease, lease_for
from asylon.services.webhooks import WebhookWorker

LEASE_NAME = "webhooks"
log = logging.getLogger("asylon.webhooks")


class Deliverer:
    """Runs ``worker`` while holding ``lease``; in a thread of its own with :meth:`start`.

    >>> # deliverer = Deliverer(get_engine()).start(); ...; deliverer.stop()
    """

    def __init__(self, engine: Engine, *, worker: WebhookWorker | None = None, lease: Lease | None = None,
                 interval: float = 0.2, retry: float = 2.0) -> None:
        self.worker = worker or WebhookWorker(engine)
        self.lease = lease or lease_for(engine, LEASE_NAME)
        self.interval = interval
        self.retry = retry
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.holding = False  # whether this deliverer held the lease at its last check (for status and tests)

    def run(self, stop: threading.Event | None = None) -> None:
        """Deliver while holding the lease, wait for it otherwise, until ``stop`` is set."""
        stop = stop or self._stop
        try:
            while not stop.is_set():
                if not self._has_lease():
                    stop.wait(self.retry)
                    continue
                try:
                    busy = self.worker.run_once()
                except Exception:
                    log.exception("webhook delivery pass failed; trying again")
                    busy = 0
                if not busy:
                    stop.wait(self.interval)
        finally:
            self.lease.release()
            if self.holding:
                log.info("webhook deliverer stopped and released the lease")
            self.holding = False

    def _has_lease(self) -> bool:
        try:
            held = self.lease.holds() or self.lease.acquire()
        except Exception:
            log.exception("could not reach the database to take the webhook lease")
            held = False
        if held != self.holding:
            log.info("this process %s webhook deliveries", "now makes" if held else "no longer makes")
        self.holding = held
        return held

    def start(self) -> Deliverer:
        self._stop.clear()
        self._thread = threading.Thread(target=self.run, daemon=True, name="asylon-webhook-deliverer")
        self._thread.start()
        return self

    def stop(self, timeout: float = 60.0) -> None:
        """Finish the pass under way, release the lease, and return."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout)
            self._thread = None
