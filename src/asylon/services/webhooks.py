"""Webhooks: case events pushed to an organisation's URL, signed, retried with backoff, dead-lettered.

Each (subscription, event) pair is one :class:`~asylon.db.models.WebhookDelivery` row, unique, created
in the same transaction that advances the subscription's cursor over the outbox — so a worker that
stops at any point neither loses an event nor queues it twice. A delivery is marked delivered only
after the receiver answered 2xx; the one window for a repeat is a crash between that answer and our
commit, so receivers should drop an ``X-Asylon-Event-Id`` they have already processed.

Signature: ``X-Asylon-Signature: sha256=<hex HMAC-SHA256(secret, "<X-Asylon-Timestamp>." + body)>``;
check it with :func:`verify` (constant time) and refuse timestamps older than a few minutes.

Per subscription, events go out in order: the oldest undelivered one is retried (``base_delay`` ×
2^(attempt−1), capped at ``max_delay``) before any later one, and after ``max_attempts`` it moves to
the dead-letter list and the next goes. :func:`replay` puts dead deliveries back in the queue.
Visibility is checked again when sending: a delivery whose case the subscriber may no longer see
(agreement suspended or expired, consent withdrawn) is ``withheld`` and nothing is sent. Removing a
subscription (:func:`unsubscribe`) marks what was still waiting for it ``cancelled``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass

import httpx
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from asylon.db.base import utcnow
from asylon.db.engine import session_factory, transaction
from asylon.db.models import CaseEvent, User, WebhookDelivery, WebhookSubscription
from asylon.domain.organisations import Role
from asylon.errors import NotFound, RuleRefused
from asylon.schemas.agreements import Replay, WebhookCreate
from asylon.services import access_log
from asylon.services.accounts import actor_for
from asylon.services.actors import Actor
from asylon.services.feed import OutboxReader, _cases, payload, render
from asylon.services.visibility import access_for


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Asylon-Signature`` value for ``body`` sent at ``timestamp``.

    >>> sign("s3cret", "1700000000", b'{"id":1}')[:7]
    'sha256='
    """
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, tolerance: float = 300.0,
           now: float | None = None) -> bool:
    """Whether ``signature`` is ours for this body and timestamp, and the timestamp is recent."""
    try:
        age = abs((now if now is not None else time.time()) - int(timestamp))
    except ValueError:
        return False
    return age <= tolerance and hmac.compare_digest(sign(secret, timestamp, body), signature)


def subscribe(session: Session, *, actor: Actor, data: WebhookCreate, from_now: bool = True) -> WebhookSubscription:
    """Register a URL for the actor's organisation; events after now (or all, with ``from_now=False``)."""
    actor.require(Role.ADMIN, "subscribing a webhook")
    from asylon.services.feed import head

    subscription = WebhookSubscription(
        organisation_id=actor.organisation_id, created_by_user_id=actor.user_id, url=str(data.url),
        secret=secrets.token_urlsafe(32), purpose=str(data.purpose) if data.purpose else None,
        cursor=head(session) if from_now else 0,
    )
    session.add(subscription)
    session.flush()
    return subscription


def own_subscription(session: Session, actor: Actor, subscription_id: int) -> WebhookSubscription:
    subscription = session.get(WebhookSubscription, subscription_id)
    if subscription is None or subscription.organisation_id != actor.organisation_id:
        raise NotFound("webhook subscription", subscription_id)
    return subscription


def unsubscribe(session: Session, *, actor: Actor, subscription_id: int) -> WebhookSubscription:
    """Stop a subscription: nothing more is queued or sent to it; what was waiting to be sent is ``cancelled``;
    its delivery history stays."""
    actor.require(Role.ADMIN, "removing a webhook")
    subscription = own_subscription(session, actor, subscription_id)
    subscription.active = False
    session.execute(update(WebhookDelivery)
                    .where(WebhookDelivery.subscription_id == subscription.id, WebhookDelivery.status == "pending")
                    .values(status="cancelled", last_error="the webhook was removed before this was sent"))
    return subscription


def list_subscriptions(session: Session, *, actor: Actor) -> list[WebhookSubscription]:
    return list(session.scalars(select(WebhookSubscription).where(
        WebhookSubscription.organisation_id == actor.organisation_id).order_by(WebhookSubscription.id)))


def deliveries(session: Session, *, actor: Actor, status: str | None = "dead",
               subscription_id: int | None = None, limit: int = 500) -> list[WebhookDelivery]:
    """Deliveries of the actor's subscriptions (by default the dead-letter list), oldest first."""
    query = (select(WebhookDelivery).join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
             .where(WebhookSubscription.organisation_id == actor.organisation_id))
    if status:
        query = query.where(WebhookDelivery.status == status)
    if subscription_id is not None:
        query = query.where(WebhookDelivery.subscription_id == subscription_id)
    return list(session.scalars(query.order_by(WebhookDelivery.id).limit(limit)))


def replay(session: Session, *, actor: Actor, data: Replay) -> int:
    """Queue dead deliveries again (all of a subscription's, or the ones named); returns how many."""
    actor.require(Role.ADMIN, "replaying webhook deliveries")
    if not own_subscription(session, actor, data.subscription_id).active:
        raise RuleRefused("webhook.removed", "the webhook was removed, so nothing would be sent; add it again to "
                                             "receive events")
    query = (update(WebhookDelivery)
             .where(WebhookDelivery.subscription_id == data.subscription_id, WebhookDelivery.status == "dead")
             .values(status="pending", attempts=0, next_attempt_at=utcnow(), last_error=""))
    if data.delivery_ids:
        query = query.where(WebhookDelivery.id.in_(data.delivery_ids))
    return int(session.execute(query).rowcount or 0)  # type: ignore[attr-defined]


@dataclass
class Policy:
    base_delay: float = 2.0
    max_delay: float = 3600.0
    max_attempts: int = 10
    timeout: float = 10.0

    def delay(self, attempts: int) -> float:
        return float(min(self.max_delay, self.base_delay * 2 ** max(0, attempts - 1)))


class WebhookWorker:
    """Queues and sends deliveries. Run one per deployment: in-process (:meth:`start`) for a laptop or
    the tests, or ``asylon feed deliver`` as its own process in production."""

    def __init__(self, engine: Engine, *, policy: Policy | None = None, client: httpx.Client | None = None) -> None:
        self.engine = engine
        self.policy = policy or Policy()
        self.client = client or httpx.Client(timeout=self.policy.timeout)
        self._readers: dict[int, OutboxReader] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _actor(self, session: Session, subscription: WebhookSubscription) -> Actor | None:
        user = session.get(User, subscription.created_by_user_id)
        if user is None or not user.active or user.organisation_id != subscription.organisation_id:
            return None
        return actor_for(user)

    def enqueue(self) -> int:
        """Queue every new event each subscription may see; returns how many were queued."""
        queued = 0
        with session_factory(self.engine, write=False)() as session:
            ids = list(session.scalars(select(WebhookSubscription.id).where(WebhookSubscription.active)))
        for subscription_id in ids:
            with transaction(self.engine) as session:
                subscription = session.get_one(WebhookSubscription, subscription_id)
                actor = self._actor(session, subscription)
                if actor is None:
                    continue
                reader = self._readers.setdefault(subscription_id, OutboxReader())
                events = reader.read(session, subscription.cursor)
                if not events:
                    continue
                access = access_for(session, actor, purpose=subscription.purpose, channel="webhook")
                cases = _cases(session, {e.case_id for e in events})
                for event in events:
                    case = cases.get(event.case_id)
                    if case is not None and access.can_see(case):
                        session.add(WebhookDelivery(subscription_id=subscription_id, event_id=event.id))
                        queued += 1
                subscription.cursor = events[-1].id
        return queued

    def send_due(self, now: dt.datetime | None = None) -> int:
        """Try the oldest undelivered event of each subscription that is due; returns attempts made."""
        now = now or utcnow()
        attempts = 0
        with session_factory(self.engine, write=False)() as session:
            heads = session.execute(
                select(WebhookDelivery.subscription_id, WebhookDelivery.id)
                .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
                .where(WebhookDelivery.status == "pending", WebhookSubscription.active)
                .order_by(WebhookDelivery.subscription_id, WebhookDelivery.event_id)
            ).all()
        first: dict[int, int] = {}
        for subscription_id, delivery_id in heads:
            first.setdefault(subscription_id, delivery_id)
        for delivery_id in first.values():
            attempts += self._attempt(delivery_id, now)
        return attempts

    def _attempt(self, delivery_id: int, now: dt.datetime) -> int:
        with session_factory(self.engine, write=False)() as session:
            delivery = session.get_one(WebhookDelivery, delivery_id)
            if delivery.next_attempt_at > now:
                return 0
            subscription = session.get_one(WebhookSubscription, delivery.subscription_id)
            event = session.get_one(CaseEvent, delivery.event_id)
            actor = self._actor(session, subscription)
            access = access_for(session, actor, purpose=subscription.purpose, channel="webhook") if actor else None
            case = _cases(session, {event.case_id}).get(event.case_id)
            public = render(access, event, case) if access is not None and case is not None else None
            disclosed = list(access_log.pending(session))
            access_log.pending(session).clear()  # logged only once the receiver has it
            url, secret = subscription.url, subscription.secret
        if public is None:
            self._finish(delivery_id, status="withheld", error="the subscriber may no longer see this case")
            return 0
        body = payload(public)
        timestamp = str(int(time.time()))
        headers = {"Content-Type": "application/json", "X-Asylon-Event-Id": str(event.id),
                   "X-Asylon-Delivery-Id": str(delivery_id), "X-Asylon-Timestamp": timestamp,
                   "X-Asylon-Signature": sign(secret, timestamp, body), "User-Agent": "asylon-webhooks"}
        try:
            response = self.client.post(url, content=body, headers=headers)
            error = "" if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        if not error:
            self._finish(delivery_id, status="delivered")
            access_log.write(self.engine, disclosed)
        else:
            self._failed(delivery_id, error, now)
        return 1

    def _finish(self, delivery_id: int, *, status: str, error: str = "") -> None:
        with transaction(self.engine) as session:
            delivery = session.get_one(WebhookDelivery, delivery_id)
            delivery.status = status
            delivery.last_error = error
            if status == "delivered":
                delivery.attempts += 1
                delivery.delivered_at = utcnow()

    def _failed(self, delivery_id: int, error: str, now: dt.datetime) -> None:
        with transaction(self.engine) as session:
            delivery = session.get_one(WebhookDelivery, delivery_id)
            delivery.attempts += 1
            delivery.last_error = error
            if delivery.attempts >= self.policy.max_attempts:
                delivery.status = "dead"
            else:
                delivery.next_attempt_at = now + dt.timedelta(seconds=self.policy.delay(delivery.attempts))

    def run_once(self) -> int:
        self.enqueue()
        return self.send_due()

    def run(self, *, interval: float = 0.2, stop: threading.Event | None = None) -> None:
        """Work until ``stop`` is set (or :meth:`stop` is called)."""
        stop = stop or self._stop
        while not stop.is_set():
            try:
                busy = self.run_once()
            except Exception:
                busy = 0
            if not busy:
                stop.wait(interval)

    def start(self, *, interval: float = 0.2) -> WebhookWorker:
        """Run in a background thread of this process (the demo and the tests)."""
        self._stop.clear()
        self._thread = threading.Thread(target=self.run, kwargs={"interval": interval}, daemon=True,
                                        name="asylon-webhooks")
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
