"""The one wire protocol: request and answer bodies shared by the server and the sync client."""
