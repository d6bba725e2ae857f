"""The OpenAPI schema is exact where it can be read without sending a request: every authenticated
operation names the bearer scheme, every answer has a model, and every error status the server can
answer on an operation is documented with the one error body. (Whether the answers fit the schema is
for tests/platform/server/test_api_fuzz.py.)"""
from __future__ import annotations

import pytest

PUBLIC = {("post", "/api/login"), ("get", "/healthz"), ("get", "/readyz"),
          ("get", "/metrics")}  # /metrics: by network or its own scrape token (ONEGRID_METRICS_*), not a login
OWN_BODIES = {("get", "/healthz"), ("get", "/readyz")}  # a 503 answers with the checks, not the error body
TEXT = {("get", "/metrics")}  # Prometheus' text format
BINARY = {("get", "/api/photos/{photo_id}/{kind}"), ("get", "/api/basemap/tiles/{z}/{x}/{y}"),
          ("get", "/open311/v2/media/{photo_id}")}  # a file
EVENT_STREAMS = {("get", "/api/changes/stream")}  # Server-Sent Events: the schema describes one event
BODY_STATUSES = {"400", "413", "415", "422"}  # no JSON, too large, not sent as JSON, does not fit
# Open311 GeoReport v2 (server/open311): the spec's own API beside ours: public reads, posts with the spec's
# api_key (a form field, not a header), and every refusal in the spec's error body
OPEN311 = "/open311/v2/"


@pytest.fixture
def schema(lite) -> dict:
    r = lite.client.get("/openapi.json")
    assert r.status_code == 200, r.text
    return r.json()


def _operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


def test_the_bearer_scheme_is_declared_and_on_every_authenticated_operation(schema):
    assert schema["components"]["securitySchemes"]["HTTPBearer"] == {
        "type": "http", "scheme": "bearer", "description": "`Authorization: Bearer <token>` from POST /api/login"}
    for method, path, operation in _operations(schema):
        security = operation.get("security", [])
        if (method, path) in PUBLIC or path.startswith(OPEN311):
            assert security == [], (method, path)
        elif (method, path) in (("post", "/api/sensors/readings"), ("post", "/api/positions"),
                                ("post", "/api/detections")):  # a gateway's key or an admin's token
            assert sorted(name for requirement in security for name in requirement) == ["HTTPBearer", "IngestKey"]
        else:
            assert security == [{"HTTPBearer": []}], (method, path)
            assert "401" in operation["responses"], (method, path)


def test_every_answer_has_a_model(schema):
    for method, path, operation in _operations(schema):
        ok = {status: answer for status, answer in operation["responses"].items() if status.startswith("2")}
        assert len(ok) == 1, (method, path, ok)
        ((status, answer),) = ok.items()
        if status == "204":
            assert "content" not in answer, (method, path)
            continue
        if (method, path) in TEXT:
            assert answer["content"] == {"text/plain": {"schema": {"type": "string"}}}, (method, path)
            continue
        if (method, path) in BINARY:
            assert all(c["schema"] == {"type": "string", "format": "binary"} for c in answer["content"].values())
            continue
        if (method, path) in EVENT_STREAMS:
            (event,) = answer["content"].values()
            assert set(answer["content"]) == {"text/event-stream"}, (method, path)
            assert {"event", "data"} <= set(event["schema"]["required"]), (method, path)
            continue
        model = answer["content"]["application/json"]["schema"]
        assert set(model) == {"$ref"}, (method, path, model)  # a named model, not "any object"


def test_every_error_status_is_documented_with_the_error_body(schema):
    error_body = {"$ref": "#/components/schemas/ErrorBody"}
    for method, path, operation in _operations(schema):
        responses = operation["responses"]
        if "requestBody" in operation:
            assert BODY_STATUSES <= set(responses), (method, path, sorted(responses))
        for status, answer in responses.items():
            if status.startswith(("4", "5")) and (method, path) not in OWN_BODIES:
                expected = {"$ref": "#/components/schemas/Open311Errors"} if path.startswith(OPEN311) else error_body
                assert answer["content"]["application/json"]["schema"] == expected, (method, path, status)
        if (method, path) not in {("get", "/healthz"), ("get", "/metrics")}:  # /metrics leaves such figures out
            assert "503" in responses, (method, path)  # the database may be down for any of them
    assert "HTTPValidationError" not in schema["components"]["schemas"]  # FastAPI's 422 body, not ours
    assert set(schema["components"]["schemas"]["ErrorBody"]["required"]) == {"error", "message", "details"}


def test_statuses_particular_to_an_operation_are_documented(schema):
    paths = schema["paths"]
    assert "304" in paths["/api/refdata"]["get"]["responses"]
    assert "content" not in paths["/api/refdata"]["get"]["responses"]["304"]
    assert {p["name"] for p in paths["/api/refdata"]["get"]["parameters"]} == {"If-None-Match"}
    assert {"401", "429"} <= set(paths["/api/login"]["post"]["responses"])
    assert "201" in paths["/api/shifts"]["post"]["responses"]
