"""The developer API, v1: JSON under /api/v1/, bearer tokens, problem+json errors."""
