"""The server's platform: app factory, settings, database, auth, middleware, errors, context."""
