"""Citizen contributions: a public form and fediverse mentions feed one moderation queue.

Nothing a citizen sends reaches a channel by itself: files wait in the media
store by hash, and only an editor's accept turns them into a draft item.
"""
