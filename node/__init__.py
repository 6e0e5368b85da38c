"""Mediakring node package."""
