"""Open311 GeoReport v2: the spec's bodies (XML and JSON), services from the reference data, and the
mapping between a case and a service request. Qt-free and server-free: the server's endpoints
(`server/open311/`) and the tests share it."""
