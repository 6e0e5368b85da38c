"""The HTTP routes of the public channels: feeds, ninjs, oEmbed, walls and webhooks."""
