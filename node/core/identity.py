"""The organisation this node speaks for: name, handle, keys and the URLs built from them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlsplit

import sqlite_utils
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from federation.ports import ActorProfile
from node.core.clock import iso
from node.core.errors import ValidationFailed
from protocol import keys


def slugify(name: str) -> str:
    """A WebFinger-safe handle from a name: "Stadsomroep Den Haag" → stadsomroep-den-haag."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:48] or "org"


@dataclass(frozen=True)
class Identity:
    """Name, handle and key pairs of the organisation, plus the base URL.

    ``instance_rsa_private_pem`` is the instance actor's own key (``/instance-actor``):
    it signs the fetches whose URL a remote side can choose, so the organisation's key
    never signs a request for a URL someone else picked.
    """

    profile: ActorProfile
    handle: str
    base_url: str
    rsa_private_pem: str
    ed25519_private_pem: str
    instance_rsa_private_pem: str

    @property
    def name(self) -> str:
        return self.profile.name

    @property
    def summary(self) -> str:
        return self.profile.summary

    @property
    def icon_url(self) -> str | None:
        return self.profile.icon_url

    @property
    def image_url(self) -> str | None:
        return self.profile.image_url

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc

    @property
    def actor_url(self) -> str:
        return f"{self.base_url}/actor"

    @property
    def rsa_key_id(self) -> str:
        return f"{self.actor_url}#main-key"

    @property
    def ed25519_key_id(self) -> str:
        return f"{self.actor_url}#ed25519-key"

    @property
    def instance_actor_url(self) -> str:
        return f"{self.base_url}/instance-actor"

    @property
    def instance_key_id(self) -> str:
        return f"{self.instance_actor_url}#main-key"

    @property
    def acct(self) -> str:
        return f"{self.handle}@{self.host}"

    def item_url(self, item_id: str) -> str:
        return f"{self.base_url}/items/{item_id}"

    def media_url(self, media_id: str, rendition: str | None = None) -> str:
        suffix = f"/{rendition}" if rendition else ""
        return f"{self.base_url}/media/{media_id}{suffix}"

    @cached_property
    def rsa_key(self) -> RSAPrivateKey:
        return keys.load_private_pem(self.rsa_private_pem)  # type: ignore[return-value]

    @cached_property
    def instance_rsa_key(self) -> RSAPrivateKey:
        return keys.load_private_pem(self.instance_rsa_private_pem)  # type: ignore[return-value]

    @cached_property
    def ed25519_key(self) -> Ed25519PrivateKey:
        return keys.load_private_pem(self.ed25519_private_pem)  # type: ignore[return-value]


def create_identity(db: sqlite_utils.Database, name: str, handle: str | None) -> None:
    """Store the organisation's name, handle and freshly generated key pairs."""
    handle = handle or slugify(name)
    if not re.fullmatch(r"[a-z0-9][a-z0-9_.-]{0,63}", handle):
        raise ValidationFailed("handle must be lowercase letters, digits, '.', '_' or '-'")
    if not name.strip():
        raise ValidationFailed("name must not be empty")
    db["identity"].insert(
        {
            "id": 1,
            "name": name.strip(),
            "handle": handle,
            "summary": "",
            "rsa_private_pem": keys.private_pem(keys.generate_rsa()),
            "ed25519_private_pem": keys.private_pem(keys.generate_ed25519()),
            "instance_rsa_private_pem": keys.private_pem(keys.generate_rsa()),
            "created_at": iso(),
        }
    )


def ensure_instance_key(db: sqlite_utils.Database) -> bool:
    """Give a node made before the instance actor had its own key that key, once.

    Run at start-up, before :func:`load_identity`.  True if a key was made now; the
    organisation's keys are left exactly as they were.
    """
    row = db.execute("SELECT instance_rsa_private_pem FROM identity WHERE id = 1").fetchone()
    if row is None or row[0]:
        return False
    pem = keys.private_pem(keys.generate_rsa())
    db.execute(
        "UPDATE identity SET instance_rsa_private_pem = ?"
        " WHERE id = 1 AND instance_rsa_private_pem IS NULL",
        [pem],
    )
    return True


#: The organisation's two pictures, served at ``/profile/<which>/<sha256>.jpg``.
PROFILE_IMAGES = ("icon", "image")
#: Longest side of the stored rendition: a square-ish avatar, a wide header.
PROFILE_IMAGE_SIZES = {"icon": 400, "image": 1500}


def profile_image_url(base_url: str, which: str, sha256: str | None) -> str | None:
    """Where the picture is served; the hash in the path lets every cache keep it forever."""
    return f"{base_url}/profile/{which}/{sha256}.jpg" if sha256 else None


def update_profile(
    db: sqlite_utils.Database,
    name: str,
    summary: str,
    images: dict[str, str | None],
) -> None:
    """Store name, summary and the chosen pictures (``images``: which → sha256 or None).

    A picture not named in ``images`` stays as it is.
    """
    values: dict[str, object] = {"name": name, "summary": summary}
    for which, sha in images.items():
        if which not in PROFILE_IMAGES:
            raise ValueError(which)
        values[f"{which}_sha256"] = sha
    db["identity"].update(1, values)


def load_identity(db: sqlite_utils.Database, base_url: str) -> Identity:
    row = db["identity"].get(1)
    if not row.get("instance_rsa_private_pem"):
        raise RuntimeError("the instance actor has no key: call ensure_instance_key first")
    base = base_url.rstrip("/")
    return Identity(
        ActorProfile(
            row["name"],
            row["summary"] or "",
            profile_image_url(base, "icon", row.get("icon_sha256")),
            profile_image_url(base, "image", row.get("image_sha256")),
        ),
        row["handle"],
        base,
        row["rsa_private_pem"],
        row["ed25519_private_pem"],
        row["instance_rsa_private_pem"],
    )
