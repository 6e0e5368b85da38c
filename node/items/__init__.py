"""Items: the organisation's content, with metadata, versions and media."""
