"""A small network of real node processes on 127.0.0.1: for ``make demo`` and tests.

Each node gets its own data directory, port and ``mediakring run`` process,
federating over loopback (``allow_private_network`` is set in its settings).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from node.app.bootstrap import init_node
from node.core import accounts
from node.core.db.database import connect


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class NodeProcess:
    name: str
    data_dir: Path
    port: int
    admin_password: str = ""
    token: str = ""
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, log_file: Path | None = None) -> None:
        out = open(log_file or self.data_dir / "node.log", "ab")  # the child process owns it
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "node.app.cli",
                "run",
                "--data",
                str(self.data_dir),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
        wait_ready(self.base_url, self.process)

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, as in a crash."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_ready(base_url: str, process: subprocess.Popen, within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"node at {base_url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(base_url + "/healthz", timeout=1) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"node at {base_url} did not become ready within {within}s")


def create_node(root: Path, name: str, port: int | None = None, **settings) -> NodeProcess:
    """Initialise a node directory (or reuse an existing one) with an admin API token."""
    port = port or free_port()
    data_dir = root / name.lower().replace(" ", "-")
    node = NodeProcess(name, data_dir, port)
    token_file = data_dir / "demo-token"
    if not (data_dir / "mediakring.db").exists():
        new = init_node(
            data_dir,
            name,
            f"http://127.0.0.1:{port}",
            extra_settings={"allow_private_network": True, **settings},
        )
        node.admin_password = new.admin_password
        (data_dir / "demo-login").write_text(new.admin_password)
        db = connect(data_dir / "mediakring.db")
        db.conn.execute("BEGIN")
        token = accounts.create_token(db, "admin", "devnet")[1]
        db.conn.execute("COMMIT")
        db.conn.close()
        token_file.write_text(token)
    node.admin_password = (data_dir / "demo-login").read_text().strip()
    node.token = token_file.read_text().strip()
    return node
