"""Open311 GeoReport v2 beside OneGrid's own API (docs/open311.md): keys per citizen app, rate limits,
the six methods at /open311/v2/, each new request a case through the one command pipeline."""
