"""Mediakring protocol package."""
