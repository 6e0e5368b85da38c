"""``make demo``: three real nodes of The Hague federating on 127.0.0.1.

Stadsomroep Den Haag, WijkTV Den Haag and Gemeente Den Haag start as separate
processes with their own data directories under ``./demo-data``; they become
partners; sample items of every kind (with media generated locally) are
created, some shared, some listed, one embargoed; events (a concert, a festival of
several whole days, an online meet-up, a cancelled one) and vacancies (one closing
soon) are listed in the mediatheek, so the network agenda and the vacancy portal
show them.  Runs until Ctrl-C.
"""

from __future__ import annotations

import asyncio
import io
import shutil
import subprocess
import tempfile
import zipfile
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
from PIL import Image, ImageDraw

from node.app.devnet import NodeProcess, create_node

ROOT = Path("demo-data")
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NODES = [("Stadsomroep Den Haag", 8081), ("WijkTV Den Haag", 8082), ("Gemeente Den Haag", 8083)]


def photo(text: str, colour: str) -> bytes:
    image = Image.new("RGB", (1280, 720), colour)
    ImageDraw.Draw(image).text((40, 40), text, fill="white")
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def ffmpeg(args: list[str], suffix: str) -> bytes | None:
    if not shutil.which("ffmpeg"):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"out{suffix}"
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", *args, str(out)], check=True)
        return out.read_bytes()


def document_pdf() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (595, 842), "white").save(buf, "PDF")
    return buf.getvalue()


def footage_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("ruwe-beelden/README.txt", "Ruwe beelden van de raadsvergadering.\n")
    return buf.getvalue()


class Client:
    def __init__(self, session: aiohttp.ClientSession, node: NodeProcess) -> None:
        self.session, self.node = session, node

    async def call(self, method: str, path: str, **kwargs):
        headers = {"Authorization": f"Bearer {self.node.token}", **kwargs.pop("headers", {})}
        async with self.session.request(
            method, self.node.base_url + path, headers=headers, **kwargs
        ) as resp:
            body = await resp.json(content_type=None)
            if resp.status >= 400:
                raise RuntimeError(f"{method} {path}: {resp.status} {body}")
            return body


async def wait_until(check, within: float = 20.0):
    for _ in range(int(within * 10)):
        if result := await check():
            return result
        await asyncio.sleep(0.1)
    raise TimeoutError("the demo network did not settle")


async def partner(a: Client, b: Client) -> None:
    await a.call("POST", "/api/v1/partners", json={"handle": b.node.base_url + "/actor"})

    async def incoming():
        listed = await b.call("GET", "/api/v1/partners")
        return next(
            (p for p in listed["incoming"] if p["actor"] == a.node.base_url + "/actor"), None
        )

    request = await wait_until(incoming)
    await b.call("POST", f"/api/v1/partners/{request['id']}/accept")


async def item(client: Client, media: tuple[str, bytes] | None, **fields) -> dict:
    created = await client.call("POST", "/api/v1/items", json=fields)
    if media:
        name, data = media
        await client.call(
            "POST",
            f"/api/v1/items/{created['id']}/media?filename={name}",
            data=data,
            headers={"Content-Type": "application/octet-stream"},
        )
    return created


async def seed(clients: list[Client]) -> None:
    omroep, wijktv, gemeente = clients
    await partner(omroep, wijktv)
    await partner(omroep, gemeente)
    await partner(wijktv, gemeente)
    await asyncio.sleep(1)
    wijk, gem = wijktv.node.base_url + "/actor", gemeente.node.base_url + "/actor"
    video = ffmpeg(
        ["-f", "lavfi", "-i", "testsrc=duration=4:size=640x360:rate=25", "-pix_fmt", "yuv420p"],
        ".mp4",
    )
    audio = ffmpeg(["-f", "lavfi", "-i", "sine=frequency=440:duration=5"], ".mp3")
    common = {"credit": "Stadsomroep Den Haag", "licence": "CC-BY-4.0", "language": "nl"}
    markt = await item(
        omroep,
        ("markt.jpg", photo("Markt op de Herman Costerstraat", "#1d6fa5")),
        kind="photo",
        title="Zaterdagmarkt op de Herman Costerstraat",
        tags=["markt", "laak"],
        **common,
    )
    raad = await item(
        omroep,
        ("raad.mp4", video) if video else None,
        kind="video",
        title="Raadsvergadering over de Binckhorst",
        tags=["raad"],
        **common,
    )
    podcast = await item(
        omroep,
        ("podcast.mp3", audio) if audio else None,
        kind="audio",
        title="Podcast: Haagse Wijken, aflevering 1",
        tags=["podcast"],
        **common,
    )
    artikel = await item(
        omroep,
        ("foto.jpg", photo("Scheveningen", "#c0392b")),
        kind="article",
        title="Nieuwe boulevard Scheveningen open",
        body="<p>De vernieuwde boulevard is vandaag geopend.</p>",
        tags=["scheveningen"],
        **common,
    )
    embargo = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    begroting = await gemeente.call(
        "POST",
        "/api/v1/items",
        json={
            "kind": "document",
            "title": "Begroting 2027 (onder embargo)",
            "credit": "Gemeente",
            "licence": "CC0-1.0",
            "embargo_until": embargo,
            "tags": ["begroting"],
        },
    )
    await gemeente.call(
        "POST",
        f"/api/v1/items/{begroting['id']}/media?filename=begroting.pdf",
        data=document_pdf(),
        headers={"Content-Type": "application/pdf"},
    )
    beelden = await item(
        wijktv,
        ("ruwe-beelden.zip", footage_zip()),
        kind="document",
        title="Ruwe beelden wijkfeest Transvaal",
        tags=["transvaal"],
        credit="WijkTV Den Haag",
        licence="CC-BY-NC-4.0",
    )
    await omroep.call(
        "PUT",
        f"/api/v1/items/{markt['id']}/audience",
        json={"partners": [wijk], "mediatheek": True, "public": True},
    )
    await omroep.call(
        "PUT",
        f"/api/v1/items/{raad['id']}/audience",
        json={"partners": [wijk, gem], "mediatheek": True},
    )
    await omroep.call(
        "PUT", f"/api/v1/items/{podcast['id']}/audience", json={"mediatheek": True, "public": True}
    )
    await omroep.call("PUT", f"/api/v1/items/{artikel['id']}/audience", json={"public": True})
    await gemeente.call(
        "PUT",
        f"/api/v1/items/{begroting['id']}/audience",
        json={"partners": [omroep.node.base_url + "/actor"], "mediatheek": True},
    )
    await wijktv.call("PUT", f"/api/v1/items/{beelden['id']}/audience", json={"mediatheek": True})
    await seed_agenda(omroep, wijktv, gemeente)


def at(days: int, hour: int, minute: int = 0) -> str:
    """A moment ``days`` from today at a Dutch wall-clock time, with its offset."""
    day = datetime.now(AMSTERDAM).date() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=AMSTERDAM).isoformat()


def on(days: int) -> str:
    return (datetime.now(AMSTERDAM).date() + timedelta(days=days)).isoformat()


async def listed(client: Client, **fields) -> dict:
    """An item in the mediatheek and public: on the network agenda or portal, and the node's own."""
    created = await client.call("POST", "/api/v1/items", json={"language": "nl", **fields})
    await client.call(
        "PUT",
        f"/api/v1/items/{created['id']}/audience",
        json={"mediatheek": True, "public": True},
    )
    return created


async def seed_agenda(omroep: Client, wijktv: Client, gemeente: Client) -> None:
    """Sample events and vacancies of the three organisations."""
    place = {"name": "Paard", "address": "Prinsegracht 12, 2512 GA Den Haag"}
    await listed(
        omroep,
        kind="event",
        title="Concert: Haags Jazz Collectief",
        summary="Live in het Paard, ook te zien op de stadszender.",
        details={
            "start": at(5, 20), "end": at(5, 23), "timezone": "Europe/Amsterdam",
            "place": {**place, "latitude": 52.0767, "longitude": 4.3066},
            "ticket_url": "https://paard.nl/", "price": "€ 17,50", "status": "scheduled",
        },
    )  # fmt: skip
    await listed(
        gemeente,
        kind="event",
        title="Haags Mediafestival",
        summary="Drie dagen programma over lokale media, op het Spuiplein.",
        details={
            "start": on(9), "end": on(11), "all_day": True, "timezone": "Europe/Amsterdam",
            "place": {"name": "Spuiplein", "address": "Spuiplein, Den Haag"},
            "organiser": "Gemeente Den Haag", "price": "gratis", "status": "scheduled",
        },
    )  # fmt: skip
    await listed(
        wijktv,
        kind="event",
        title="Online meet-up: maak je eigen wijkreportage",
        details={
            "start": at(2, 19, 30), "end": at(2, 21), "timezone": "Europe/Amsterdam",
            "place": None, "online_url": "https://meet.example.org/wijkreportage",
            "price": "gratis", "status": "scheduled",
        },
    )  # fmt: skip
    await listed(
        omroep,
        kind="event",
        title="Open dag Stadsomroep",
        summary="Gaat niet door wegens verbouwing.",
        details={
            "start": at(7, 10), "end": at(7, 16), "timezone": "Europe/Amsterdam",
            "place": {"name": "Stadsomroep Den Haag", "address": "Spui 70, Den Haag"},
            "price": "gratis", "status": "cancelled",
        },
    )  # fmt: skip
    await listed(
        omroep,
        kind="vacancy",
        title="Verslaggever lokale politiek",
        body="<p>Je volgt de gemeenteraad en maakt reportages voor radio, tv en web.</p>",
        details={
            "location": "Den Haag", "hours": "32-36 uur per week", "hours_min": 32,
            "hours_max": 36, "contract_type": "permanent",
            "salary": {"min": 3200, "max": 4100, "currency": "EUR", "unit": "MONTH"},
            "closing_date": on(30), "apply_email": "vacatures@stadsomroep.example",
            "apply_url": None, "education_level": "hbo",
        },
    )  # fmt: skip
    await listed(
        wijktv,
        kind="vacancy",
        title="Stagiair camera en montage",
        details={
            "location": "Den Haag Transvaal", "hours": "24 uur per week",
            "contract_type": "internship",
            "salary": {"min": 500, "max": 500, "currency": "EUR", "unit": "MONTH"},
            "closing_date": on(2), "apply_url": "https://wijktv.example/stage",
            "apply_email": None, "education_level": "mbo",
        },
    )  # fmt: skip


def prepare() -> tuple[bool, list[NodeProcess]]:
    """Create (or reuse) the three data directories and start the processes."""
    ROOT.mkdir(exist_ok=True)
    fresh = not any(ROOT.iterdir())
    nodes = [create_node(ROOT, name, port) for name, port in NODES]
    for node in nodes:
        node.start()
    return fresh, nodes


async def main() -> None:
    fresh, nodes = await asyncio.to_thread(prepare)
    try:
        async with aiohttp.ClientSession() as session:
            clients = [Client(session, n) for n in nodes]
            if fresh:
                await seed(clients)
        print("\nMediakring demo: three nodes federating on 127.0.0.1\n")
        for node in nodes:
            print(f"  {node.name:24} {node.base_url}/admin/login   admin / {node.admin_password}")
        print(f"\n  API token of each node: {ROOT}/<node>/demo-token. Ctrl-C stops.\n", flush=True)
        await asyncio.Event().wait()  # until Ctrl-C
    finally:
        for node in nodes:
            node.stop()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
