"""The node's public face: its web pages for browsers and its posts for fediverse followers.

Everything here selects through :func:`node.items.visibility.public_items_sql`,
so a page never shows what a feed or a follower would not get.
"""
