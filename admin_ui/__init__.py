"""Mediakring admin_ui package."""
