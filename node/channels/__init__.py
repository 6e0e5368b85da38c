"""Channels: the outbound routes of a node to the public and to developers.

Feeds (RSS/Media RSS, Atom, JSON Feed, podcast), oEmbed and embeddable players,
wall displays ("muurkranten"), signed webhooks and IPTC ninjs export/import.
Every public channel selects items through ``node.items.visibility`` so none of
them can show an item another would hide.
"""
