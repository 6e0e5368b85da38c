"""Floor 10 of node: every HTTP route (API, media, public pages, channels, the contribution form) and the OpenAPI document."""
