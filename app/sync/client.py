"""ServerClient: the console's blocking HTTP client for the contract in docs/ARCHITECTURE.md.

One pooled `requests.Session`. urllib3 retries idempotent GETs (and connection attempts, where nothing
was sent); command batches are never retried here, because the sync engine resends them itself and the
server deduplicates by command_id. Every failure becomes one of three exceptions, so callers decide by
kind, not by parsing messages:

- ServerUnreachable: no usable answer (connection refused or reset, timeout, 5xx, unparsable body);
  try again later.
- AuthExpired: 401 on an authenticated call; log in again.
- ServerRefused: any other 4xx; retrying the same request will not help.
"""
from __future__ import annotations

import functools
import logging
import threading
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Sequence

import requests
from pydantic import ValidationError
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from app.cases.commands import BatchResult, Command, CommandBatch, CommandResult
from app.platform import fast_json
from app.platform.entity_commands import EntityCommand, EntityCommandResult
from app.platform.feed_partition import GLOBAL, Cursor
from app.sync.batch_answer import superseded_cases_dropped
from app.sync.client_calls import FeatureCalls, request_body
from app.sync.push_client import FeedStream, open_stream
from app.wire.cases import CommandsAnswer
from app.wire.feed import BULK_PAGE_MAX, PAGE_MAX, ChangesPage
from app.wire.feed_decode import DecodedPage, NotFast, decode_page
from app.wire.platform import LoginRequest, LoginResult

log = logging.getLogger(__name__)



# Only answers that came back this quickly are used to estimate the server clock offset (error ≤ RTT/2).
MAX_CLOCK_SAMPLE_RTT_S = 1.0
PUSH_READ_TIMEOUT_S = 30.0  # a feed stream silent this long is dead (the server pings every 10 s)


class ServerUnreachable(Exception):
    """No usable answer from the server; the same request may succeed later."""


class AuthExpired(Exception):
    """The server no longer accepts the token (401: token_expired, invalid_token); log in again."""

    def __init__(self, error: str, message: str):
        super().__init__(message)
        self.error = error
        self.message = message


class ServerRefused(Exception):
    """A definite 4xx answer other than an expired login; repeating the request will not help."""

    def __init__(self, status: int, error: str, message: str, details: list | None = None):
        super().__init__(f"server refused the request ({status} {error}): {message}")
        self.status = status
        self.error = error
        self.message = message
        self.details = details or []


def _retry_policy(retries: int) -> Retry:
    return Retry(total=retries, connect=retries, read=retries, status=retries, other=0, redirect=0,
                 allowed_methods=frozenset({"GET", "HEAD"}), status_forcelist=(502, 503, 504),
                 backoff_factor=0.3, raise_on_status=False, respect_retry_after_header=False)


def _parse_server_time(text: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def page_cursor(page: ChangesPage | DecodedPage, after: Cursor) -> Cursor:
    """The cursor after `page`, read from cursor `after`: the page's `cursors`, or from a server older than
    partitions (one position space, the global partition's) `after` moved to the page's `cursor`."""
    if page.cursors is None:
        return after.moved(GLOBAL, page.cursor)
    cursor = Cursor.from_wire(page.cursors)
    if cursor is None:
        raise ServerUnreachable(f"the server answered a feed page with an unreadable cursor {page.cursors[:80]!r}")
    return cursor


class ServerClient(FeatureCalls):
    """Blocking calls; safe to use from several threads at once (e.g. a push and a long poll)."""

    def __init__(self, base_url: str, timeout: tuple[float, float] = (3.05, 40), *, token: str | None = None,
                 retries: int = 2, long_poll_grace_s: float = 10.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        # A long poll legitimately sends nothing for `wait` seconds; allow that much plus this grace
        # before calling the connection dead (a pulled cable shows as a read timeout, not an error).
        self.long_poll_grace_s = long_poll_grace_s
        self.token = token
        self.clock_offset_s: float | None = None  # server clock minus ours, from the last answer
        self._session = requests.Session()
        adapter = HTTPAdapter(max_retries=_retry_policy(retries), pool_connections=1, pool_maxsize=4)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._lock = threading.Lock()
        self._once: requests.Session | None = None

    def __repr__(self) -> str:
        return f"ServerClient({self.base_url!r})"

    def close(self) -> None:
        self._session.close()
        if self._once is not None:
            self._once.close()

    def _no_retry_session(self) -> requests.Session:
        """A second pooled session whose adapter never retries (for calls that must fail fast)."""
        with self._lock:
            if self._once is None:
                self._once = requests.Session()
                adapter = HTTPAdapter(max_retries=_retry_policy(0), pool_connections=1, pool_maxsize=1)
                self._once.mount("http://", adapter)
                self._once.mount("https://", adapter)
            return self._once

    def set_token(self, token: str | None) -> None:
        self.token = token

    # ------------------------------------------------------------------ the contract

    def login(self, username: str, password: str, console_id: str | None = None) -> LoginResult:
        """Log in and keep the token for later calls. Bad credentials raise ServerRefused (401)."""
        body = request_body(LoginRequest, username=username, password=password,
                     **({"console_id": console_id} if console_id else {}))
        # Not retried: a login that cannot connect falls back to an offline login at once (0.6 s of
        # urllib3 backoff before the console's first window bought nothing), and a POST is never resent.
        response = self._request("POST", "/api/login", json=body, authenticated=False, retry=False)
        result = self._parse(LoginResult, response)
        self.token = result.token
        return result

    def refdata(self, etag: str | None = None) -> dict[str, Any] | None:
        """The reference data bundle, or None when the server's version equals `etag`. Kept as the JSON it
        came as (its model is `app.wire.refdata.RefDataAnswer`): the cache stores it so and
        `RefData.from_dict` reads it, and validating 100 kB of grids twice would only cost time."""
        headers = {"If-None-Match": etag} if etag else {}
        response = self._request("GET", "/api/refdata", headers=headers)
        if response.status_code == 304:
            return None
        return self._json(response)

    def push(self, commands: Sequence[Command | EntityCommand]) -> BatchResult | CommandsAnswer:
        """POST a command batch of any kinds (`POST /api/commands`): case commands only → `BatchResult`;
        with commands of other kinds → `CommandsAnswer`, each result of its command's kind. An answer
        without one result per command is a broken exchange, not an answer (the engine resends; the
        server deduplicates by command id)."""
        commands = list(commands)
        if all(isinstance(command, Command) for command in commands):
            # `cases=newest`: the server leaves out the case snapshots a later answer supersedes (the cache
            # keeps each case's newest only); a server that does not know it sends them all, dropped here
            response = self._request("POST", "/api/commands", params={"cases": "newest"},
                                     json=CommandBatch(commands=commands).model_dump(mode="json"))
            result = self._validated(BatchResult, superseded_cases_dropped(self._json(response)), response)
        else:
            response = self._request("POST", "/api/commands",
                                     json={"commands": [command.model_dump(mode="json") for command in commands]})
            result = self._parse_mixed(commands, response)
        if len(result.results) != len(commands):
            raise ServerUnreachable(f"server answered {len(result.results)} results for "
                                    f"{len(commands)} commands")
        return result

    def logout(self, timeout: tuple[float, float] | None = None) -> None:
        """End the server's login session of this token (`POST /api/logout`) and forget the token. A
        token the server no longer knows (expired, logged out elsewhere) counts as logged out; an
        unreachable server raises ServerUnreachable and the token is kept, so the caller can retry."""
        if not self.token:
            return
        try:
            self._request("POST", "/api/logout", retry=False, timeout=timeout)
        except AuthExpired:
            pass
        self.token = None

    def changes(self, after: int | Cursor, limit: int = 1000, wait: float = 0) -> ChangesPage:
        """One page of the feed after position `after` (or a cursor per partition); with `wait`, the server
        holds an empty answer. Every entry's data as an object (the sync engine reads `parse_changes` instead)."""
        return self._parse(ChangesPage, self.fetch_changes(after, limit, wait))

    def fetch_changes(self, after: int | Cursor, limit: int = 1000, wait: float = 0) -> requests.Response:
        """`changes()` without the parsing: the HTTP exchange alone (requests reads and gunzips the whole
        body before it returns). The sync engine fetches the next page this way while the previous one
        is applied, and parses it after that: two threads running Python at once only queue for the GIL.
        A partition cursor goes as `cursor=`, with its global position as `after=` beside it: a server
        older than partitions reads that one (its only partition) and ignores the other."""
        read_timeout = wait + self.long_poll_grace_s if wait else self.timeout[1]
        params: dict[str, object] = {"after": after, "limit": limit, "wait": wait}
        if isinstance(after, Cursor):
            params = {"after": after.after(GLOBAL), "cursor": after.to_wire(), "limit": limit, "wait": wait}
        if limit > PAGE_MAX:  # a first sync's bigger page (`bulk`); a server older than it reads `limit` instead
            params["limit"] = PAGE_MAX
            if not wait:
                params["bulk"] = min(limit, BULK_PAGE_MAX)
        return self._request("GET", "/api/changes", params=params, timeout=(self.timeout[0], read_timeout))

    def open_changes_stream(self, after: Cursor, limit: int = 1000) -> FeedStream:
        """The feed pushed from `after` on (`app.sync.push_client`); PushUnavailable when not offered. A read
        waits up to `PUSH_READ_TIMEOUT_S` (the server pings a quiet stream far more often) plus the grace."""
        # A connection of its own for as long as the stream lasts: taken from a shared pool, it would leave the
        # other calls of that pool (commands) to open and drop a connection each time.
        session = requests.Session()
        adapter = HTTPAdapter(max_retries=_retry_policy(0), pool_connections=1, pool_maxsize=1)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        try:
            return open_stream(functools.partial(self._request, session=session), after, limit,
                               (self.timeout[0], PUSH_READ_TIMEOUT_S + self.long_poll_grace_s), session.close)
        except BaseException:
            session.close()
            raise

    def parse_changes(self, response: requests.Response) -> DecodedPage | ChangesPage:
        """The page of a `fetch_changes()` answer (ServerUnreachable when it is not one): each case kept as
        the JSON text it came as (`app.wire.feed_decode`), or, for a page only `ChangesPage` reads, that."""
        try:
            page = decode_page(response.content)
        except NotFast as exc:
            log.debug("feed page read by ChangesPage: %s", exc)
            return self._parse(ChangesPage, response)
        if "X-Server-Time" not in response.headers:
            self._note_clock(page.server_time.isoformat(), response)
        return page

    def _request(self, method: str, path: str, *, authenticated: bool = True, accept_status: tuple = (),
                 timeout: tuple[float, float] | None = None, retry: bool = True,
                 session: requests.Session | None = None, **kwargs: Any) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if authenticated:
            if not self.token:
                raise AuthExpired("not_logged_in", "no server login in this session; log in online first")
            headers["Authorization"] = f"Bearer {self.token}"
        url = self.base_url + path
        sent = time.time()
        try:
            session = session or (self._session if retry else self._no_retry_session())
            response = session.request(method, url, headers=headers, timeout=timeout or self.timeout, **kwargs)
        except requests.RequestException as exc:
            log.debug("%s %s failed: %s", method, url, exc)
            raise ServerUnreachable(f"{method} {url}: {type(exc).__name__}: {exc}") from exc
        response.onegrid_timing = (sent, time.time())  # type: ignore[attr-defined]
        self._note_clock(response.headers.get("X-Server-Time"), response)
        status = response.status_code
        if status in accept_status or status < 400 or status == 304:
            return response
        if status >= 500:
            raise ServerUnreachable(f"{method} {url}: server error {status}: {response.text[:200]}")
        error, message, details = self._error_of(response)
        if status == 401 and authenticated:
            raise AuthExpired(error, message)
        raise ServerRefused(status, error, message, details)

    @staticmethod
    def _error_of(response: requests.Response) -> tuple[str, str, list]:
        try:
            body = response.json()
        except ValueError:
            return f"http_{response.status_code}", response.text[:500] or response.reason, []
        if isinstance(body, dict) and "error" in body:
            return str(body["error"]), str(body.get("message", "")), list(body.get("details") or [])
        if isinstance(body, dict) and "detail" in body:  # FastAPI's own validation answers
            return f"http_{response.status_code}", str(body["detail"])[:1000], []
        return f"http_{response.status_code}", str(body)[:500], []

    @staticmethod
    def _json(response: requests.Response) -> Any:
        try:
            return fast_json.loads(response.content)  # a 1,000-case feed page: half the time of response.json()
        except ValueError as exc:  # a truncated or garbled body counts as no answer
            raise ServerUnreachable(f"unparsable answer from {response.url}: {exc}") from exc

    def _parse(self, model, response: requests.Response):
        return self._validated(model, self._json(response), response)

    def _validated(self, model, body: Any, response: requests.Response):
        try:
            parsed = model.model_validate(body)
        except ValidationError as exc:
            raise ServerUnreachable(f"unexpected answer from {response.url}: {exc}") from exc
        if "X-Server-Time" not in response.headers and getattr(parsed, "server_time", None) is not None:
            self._note_clock(parsed.server_time.isoformat(), response)
        return parsed

    def _parse_mixed(self, commands: list, response: requests.Response) -> CommandsAnswer:
        """A mixed batch's answer, each result read as its own command's kind (a union alone could take one
        shape for the other); fewer or more results than commands are left for `push` to refuse."""
        body = self._json(response)
        try:
            results = body["results"] if isinstance(body, dict) else None
            if isinstance(results, list) and len(results) == len(commands):
                body = {**body, "results": [
                    (EntityCommandResult if isinstance(command, EntityCommand) else CommandResult).model_validate(item)
                    for command, item in zip(commands, results)]}
            parsed = CommandsAnswer.model_validate(body)
        except (ValidationError, TypeError) as exc:
            raise ServerUnreachable(f"unexpected answer from {response.url}: {exc}") from exc
        if "X-Server-Time" not in response.headers:
            self._note_clock(parsed.server_time.isoformat(), response)
        return parsed

    def _note_clock(self, server_time_text: str | None, response: requests.Response) -> None:
        """Offset = server clock minus ours at the midpoint of the request (the usual NTP estimate)."""
        server_time = _parse_server_time(server_time_text) if server_time_text else None
        if server_time is None:
            return
        sent, received = response.onegrid_timing  # type: ignore[attr-defined]
        if received - sent > MAX_CLOCK_SAMPLE_RTT_S:
            # A long poll the server held (or a slow answer): its midpoint says nothing about the clocks.
            return
        with self._lock:
            self.clock_offset_s = server_time.timestamp() - (sent + received) / 2

