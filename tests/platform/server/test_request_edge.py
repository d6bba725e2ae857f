"""The fixed cost of every request at the server's edge: what each request pays before and after its
endpoint (dependencies, middleware, the answer's headers) stays off worker threads and is done once."""
from __future__ import annotations

import fastapi.dependencies.utils
import pytest
from starlette.middleware.gzip import GZipMiddleware


def _count_dependency_threads(monkeypatch) -> list[str]:
    """Names of the dependencies FastAPI hands to a worker thread (a plain `def` dependency)."""
    handed: list[str] = []
    original = fastapi.dependencies.utils.run_in_threadpool

    async def counting(func, *args, **kwargs):
        handed.append(getattr(func, "__name__", repr(func)))
        return await original(func, *args, **kwargs)

    monkeypatch.setattr(fastapi.dependencies.utils, "run_in_threadpool", counting)
    return handed


def test_an_async_endpoint_resolves_its_dependencies_without_a_worker_thread(lite, monkeypatch):
    """`Ctx` and `User` are in every endpoint: a thread hand-off there was paid by every command."""
    case_id = lite.new_case()["id"]
    handed = _count_dependency_threads(monkeypatch)
    result = lite.do("operator1", "register", case_id)
    assert result["status"] == "accepted", result
    # a query the commands' fast path leaves to the endpoint: the FastAPI route answers it
    r = lite.client.post("/api/commands", params={"cases": "all", "unknown": 1}, headers=lite.login("operator1"),
                         json={"commands": [lite.command("note", case_id, {"text": "x"})]})
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "accepted", r.text
    # a parameter the feed's fast path leaves to the endpoint: the FastAPI route answers it
    r = lite.client.get("/api/changes", params={"cursor": "any.0", "limit": 5, "unknown": 1}, headers=lite.login("operator1"))
    assert r.status_code == 200, r.text
    assert handed == []


def test_a_request_does_not_ask_opentelemetry_for_its_providers(lite, monkeypatch):
    """The server exports its own metrics; FastAPI's per-request look-up of OpenTelemetry's global providers
    (environment variables each time) is off."""
    from opentelemetry import metrics, trace

    asked: list[str] = []
    for module, name in ((trace, "get_tracer_provider"), (metrics, "get_meter_provider")):
        original = getattr(module, name)
        monkeypatch.setattr(module, name, lambda original=original, name=name: (asked.append(name), original())[1])
    assert lite.client.get("/healthz").status_code == 200
    assert lite.client.get("/api/changes", params={"cursor": "any.0"}, headers=lite.login("operator1")).status_code == 200
    assert asked == []


def test_every_answer_gets_its_headers_from_one_edge_layer(lite):
    """Request id, metrics, server time and security headers in one layer, outermost of the app's own:
    each wrapped `send` and copied the answer's headers again, on every request."""
    from server.commands_fast_path import CommandsFastPath
    from server.feed.fast_path import ChangesFastPath
    from server.platform.edge import EdgeMiddleware
    from server.platform.middleware import BodyLimitMiddleware, CatchAllMiddleware

    ours = [m.cls for m in lite.app.user_middleware]
    assert ours[0] is EdgeMiddleware and ours[1] is ChangesFastPath
    assert set(ours[2:]) == {CatchAllMiddleware, BodyLimitMiddleware, GZipMiddleware, CommandsFastPath}


@pytest.mark.parametrize("params", [{"after": 0}, {"after": 0, "limit": "bad"}])
def test_the_edge_headers_come_once_on_the_fast_path_and_on_the_endpoint(lite, params):
    r = lite.client.get("/api/changes", params=params, headers={**lite.login("operator1"), "X-Request-ID": "r-1"})
    assert r.status_code in (200, 422), r.text
    for name, value in (("x-request-id", "r-1"), ("x-content-type-options", "nosniff"),
                        ("cache-control", "no-store")):
        assert r.headers.get_list(name) == [value], (name, r.headers)
    assert len(r.headers.get_list("x-server-time")) == 1
    counted = lite.ctx.metrics.requests.labels("GET", "/api/changes", str(r.status_code))._value.get()
    assert counted >= 1
