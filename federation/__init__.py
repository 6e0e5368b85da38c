"""Mediakring federation package."""
