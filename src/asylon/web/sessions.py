"""Browser sessions: a signed cookie, CSRF tokens derived from it, and a login rate limit.

The cookie holds a random session id, the user id, when it was issued, and a fingerprint of the user's
password hash, signed with HMAC-SHA256 under the platform's secret key. Nothing is stored server-side, so
several workers need only share ``ASYLON_SECRET_KEY``; changing a password ends every session of that
user (the fingerprint no longer matches). Logging out replaces the cookie with a fresh anonymous one.

CSRF: every form carries ``csrf_token``, an HMAC of the session id, checked on every POST before the
page's handler runs (see :mod:`asylon.web.rendering`). Anonymous visitors get a session id too, so the
login form is protected as well; logging in issues a new id (no session fixation).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from asylon.db.models import User
from asylon.services.accounts import actor_for
from asylon.services.actors import Actor

COOKIE = "asylon_session"
MAX_AGE = 12 * 3600


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def password_fingerprint(user: User) -> str:
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


@dataclass(slots=True)
class Visit:
    """One browser's session as a page sees it: who is signed in (if anyone) and its CSRF token."""

    sid: str
    secret: str
    user_id: int | None = None
    fingerprint: str = ""
    issued: int = field(default_factory=lambda: int(time.time()))
    user: User | None = None
    changed: bool = False
    language: str = "en"

    @property
    def actor(self) -> Actor | None:
        return actor_for(self.user) if self.user is not None else None

    @property
    def csrf_token(self) -> str:
        return hmac.new(self.secret.encode(), b"csrf:" + self.sid.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(str(token), self.csrf_token)

    def sign_in(self, user: User) -> None:
        self.sid = secrets.token_urlsafe(18)
        self.user_id, self.user = user.id, user
        self.fingerprint = password_fingerprint(user)
        self.issued = int(time.time())
        self.changed = True

    def sign_out(self) -> None:
        self.sid = secrets.token_urlsafe(18)
        self.user_id, self.user, self.fingerprint = None, None, ""
        self.changed = True

    def cookie_value(self) -> str:
        body = _b64(json.dumps({"s": self.sid, "u": self.user_id, "f": self.fingerprint, "i": self.issued},
                               separators=(",", ":")).encode())
        return body + "." + _b64(hmac.new(self.secret.encode(), body.encode(), hashlib.sha256).digest())

    @classmethod
    def anonymous(cls, secret: str) -> Visit:
        return cls(sid=secrets.token_urlsafe(18), secret=secret, changed=True)

    @classmethod
    def from_cookie(cls, value: str | None, secret: str) -> Visit:
        """The visit the cookie proves, or a new anonymous one when it is missing, forged or expired."""
        if not value or "." not in value:
            return cls.anonymous(secret)
        body, signature = value.rsplit(".", 1)
        expected = _b64(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest())
        if not hmac.compare_digest(signature, expected):
            return cls.anonymous(secret)
        try:
            data = json.loads(_unb64(body))
            visit = cls(sid=str(data["s"]), secret=secret, user_id=data["u"], fingerprint=str(data["f"]),
                        issued=int(data["i"]))
        except (ValueError, KeyError, TypeError):
            return cls.anonymous(secret)
        if visit.user_id is not None and time.time() - visit.issued > MAX_AGE:
            return cls.anonymous(secret)
        return visit


@dataclass(slots=True)
class LoginLimiter:
    """At most ``attempts`` failed logins per e-mail address and per client address in ``window`` seconds.

    Kept in memory, per process: with several workers the effective limit is per worker, which still
    stops password guessing at any useful rate.
    """

    attempts: int = 5
    window: float = 15 * 60
    _failures: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _keys(self, email: str, client: str) -> list[str]:
        return [f"e:{email.strip().lower()}", f"c:{client}"]

    def retry_after(self, email: str, client: str, *, now: float | None = None) -> int:
        """Seconds until another attempt is allowed; 0 when it is allowed now."""
        now = time.monotonic() if now is None else now
        wait = 0.0
        with self._lock:
            for key in self._keys(email, client):
                times = self._failures.get(key)
                if not times:
                    continue
                while times and now - times[0] > self.window:
                    times.popleft()
                if len(times) >= self.attempts:
                    wait = max(wait, self.window - (now - times[0]))
        return int(wait) + (1 if wait else 0)

    def failed(self, email: str, client: str, *, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            for key in self._keys(email, client):
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, email: str) -> None:
        with self._lock:
            self._failures.pop(self._keys(email, "")[0], None)
