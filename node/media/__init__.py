"""Media: streamed, content-addressed upload; type sniffing; renditions; download with Range.

Modules: ``detect`` (what a file is, from its bytes), ``store`` (streaming into the
content-addressed store), ``images`` / ``probe`` (Pillow and ffprobe analysis off the
event loop), ``service`` (one upload from request to rows), ``queries`` (read side used
by items and the protocol mapping), ``serve`` (sendfile responses), ``routes`` (HTTP).
"""
