"""Render docs/settings.md from the settings object: `python -m node.core.settings_doc`."""

from __future__ import annotations

from node.core.settings import env_name, setting_fields

HEADER = """# Settings

A node reads its settings from three layers; later layers win:

1. the defaults below;
2. `mediakring.toml` in the data directory (`mediakring init` writes `base_url` there);
3. environment variables `MEDIAKRING_<NAME>`.

Unknown keys in `mediakring.toml` and values of the wrong type stop the node with an error
that names the setting. Sizes are in bytes.

| setting | environment variable | default | what it does |
|---|---|---|---|
"""


def render() -> str:
    rows = []
    for f in setting_fields():
        default = f.default
        if isinstance(default, bool):
            default = str(default).lower()
        rows.append(f"| `{f.name}` | `{env_name(f.name)}` | `{default}` | {f.metadata['help']} |")
    return HEADER + "\n".join(rows) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(render(), end="")
