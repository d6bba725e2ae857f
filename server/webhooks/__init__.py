"""The outbound event stream of case changes (docs/webhooks.md): subscriptions, signed deliveries in
feed order with retries and backoff, dead letters an admin replays."""
