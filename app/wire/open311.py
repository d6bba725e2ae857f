"""Open311 GeoReport v2 answers (wiki.open311.org/GeoReport_v2), as the spec names their fields: the
models the server documents in its OpenAPI schema for /open311/v2/ (the bodies themselves are built by
`app.open311` and sent in JSON or XML). Every refusal is `Open311Errors`, never OneGrid's `ErrorBody`."""
from __future__ import annotations

from pydantic import RootModel

from app.wire.base import Answer


class Open311Error(Answer):
    code: int
    description: str


class Open311Errors(RootModel[list[Open311Error]]):
    """The spec's error body: `[{code, description}]` (XML `<errors><error>…</error></errors>`)."""


class Service(Answer):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: str
    keywords: str
    group: str


class Services(RootModel[list[Service]]):
    pass


class AttributeValue(Answer):
    key: str
    name: str


class Attribute(Answer):
    variable: bool
    order: int
    code: str
    datatype: str
    required: bool
    datatype_description: str
    description: str
    values: list[AttributeValue] = []


class ServiceDefinition(Answer):
    service_code: str
    attributes: list[Attribute]


class ServiceRequest(Answer):
    service_request_id: str
    status: str
    status_notes: str
    service_name: str
    service_code: str
    description: str
    agency_responsible: str
    service_notice: str
    requested_datetime: str | None
    updated_datetime: str | None
    expected_datetime: str
    address: str
    address_id: str
    zipcode: str
    lat: float | None
    long: float | None
    media_url: str


class ServiceRequests(RootModel[list[ServiceRequest]]):
    pass


class Created(Answer):
    service_request_id: str
    token: str
    service_notice: str
    account_id: str


class CreatedRequests(RootModel[list[Created]]):
    pass


class TokenRequest(Answer):
    service_request_id: str
    token: str


class TokenRequests(RootModel[list[TokenRequest]]):
    pass
