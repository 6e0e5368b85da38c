"""node's HTTP floor: every route (API, media, public pages, channels, the contribution
form) and the OpenAPI document.  Handlers parse, authorise and render; the work is below."""
