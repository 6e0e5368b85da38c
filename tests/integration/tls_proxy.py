"""A real TLS-terminating nginx in front of a node, with a private CA, for tests.

Production runs a node behind a TLS proxy (docs/operations.md); these helpers start
Debian's ``nginx-light`` unprivileged, with everything in a temporary directory::

    proxy = prepare_tls_proxy(tmp_path / "proxy", upstream_port=node_port)
    # ... start the node with base_url = proxy.base_url ...
    async with running_tls_proxy(proxy):
        proxy.base_url          # https://127.0.0.1:<proxy port>
        proxy.ca_file           # PEM of the private CA that signed the server certificate
        proxy.client_session()  # an aiohttp session that trusts that CA

The proxy passes the request unchanged (no path rewriting) with the usual headers:
``Host`` as the client sent it, ``X-Forwarded-Proto`` and ``X-Forwarded-For``. Without
nginx the helpers fail (never skip) with the install hint.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import ipaddress
import os
import shutil
import ssl
import subprocess
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import aiohttp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.federation.harness import free_port

if TYPE_CHECKING:
    from tests.conftest import RunningNode

NGINX_MISSING = (
    "nginx is not installed (neither `nginx` on PATH nor /usr/sbin/nginx): run "
    "`make test` or `./scripts/install-system-deps.sh` (installs Debian's nginx-light)"
)
READY_TIMEOUT = 15.0


class TlsProxyError(RuntimeError):
    """nginx is missing, would not start, or did not answer in time."""


def nginx_binary() -> str | None:
    """``nginx`` on PATH, else Debian's /usr/sbin/nginx (not on a normal user's PATH)."""
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None


@dataclass(frozen=True)
class Certificates:
    ca_file: Path
    cert_file: Path
    key_file: Path


def _write_key(key: ec.EllipticCurvePrivateKey, path: Path) -> None:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def make_certificates(directory: Path) -> Certificates:
    """A private CA and a server certificate for ``127.0.0.1`` and ``localhost``."""
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    valid = (now - datetime.timedelta(minutes=5), now + datetime.timedelta(days=2))
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Mediakring test CA")])
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid[0])
        .not_valid_after(valid[1])
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid[0])
        .not_valid_after(valid[1])
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    out = Certificates(directory / "ca.pem", directory / "server.pem", directory / "server.key")
    out.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    out.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    _write_key(key, out.key_file)
    return out


def nginx_conf(directory: Path, certs: Certificates, port: int, upstream_port: int) -> str:
    """An unprivileged, foreground nginx: every path it writes is under ``directory``."""
    d = directory
    return f"""
daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log info;
events {{ worker_connections 256; }}
http {{
    access_log {d}/access.log;
    client_body_temp_path {d}/client_body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    client_max_body_size 64m;
    server {{
        listen 127.0.0.1:{port} ssl;
        server_name localhost 127.0.0.1;
        ssl_certificate {certs.cert_file};
        ssl_certificate_key {certs.key_file};
        location / {{
            # No URI after the upstream address: the path is passed exactly as sent.
            proxy_pass http://127.0.0.1:{upstream_port};
            # $http_host is the Host header as the client sent it, port included
            # ($host would drop a non-default port, which draft-cavage signatures sign).
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }}
    }}
}}
"""


@dataclass
class TlsProxy:
    port: int
    upstream_port: int
    certs: Certificates
    directory: Path
    process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def ca_file(self) -> Path:
        return self.certs.ca_file

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file))

    def client_session(self) -> aiohttp.ClientSession:
        """A client that trusts the private CA (and verifies the certificate)."""
        return aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=self.ssl_context()))

    def error_log(self) -> str:
        try:
            return (self.directory / "error.log").read_text(errors="replace")
        except OSError:
            return ""

    def access_log(self) -> list[str]:
        try:
            return (self.directory / "access.log").read_text(errors="replace").splitlines()
        except OSError:
            return []

    def start(self) -> None:
        binary = nginx_binary()
        if binary is None:
            raise TlsProxyError(NGINX_MISSING)
        conf = self.directory / "nginx.conf"
        conf.write_text(nginx_conf(self.directory, self.certs, self.port, self.upstream_port))
        with open(self.directory / "stderr", "wb") as stderr:
            self.process = subprocess.Popen(
                # -e: the error log before the config is read (default is under /var/log)
                [binary, "-p", str(self.directory), "-c", str(conf),
                 "-e", str(self.directory / "error.log")],
                stdin=subprocess.DEVNULL, stdout=stderr, stderr=stderr,
            )  # fmt: skip

    async def wait_ready(self) -> None:
        """Until nginx answers over TLS (any HTTP status: the upstream may still start)."""
        timeout = READY_TIMEOUT
        deadline = time.monotonic() + timeout
        last: object = None
        async with self.client_session() as session:
            while time.monotonic() < deadline:
                assert self.process is not None
                if self.process.poll() is not None:
                    raise TlsProxyError(
                        f"nginx exited with status {self.process.returncode}:\n"
                        f"{(self.directory / 'stderr').read_text(errors='replace')}\n"
                        f"{self.error_log()[-4000:]}"
                    )
                try:
                    async with session.get(self.base_url + "/", timeout=aiohttp.ClientTimeout(2)):
                        return
                except (aiohttp.ClientError, TimeoutError) as exc:
                    last = exc
                await asyncio.sleep(0.05)
        raise TlsProxyError(f"nginx did not answer within {timeout}s: {last!r}\n{self.error_log()}")

    def stop(self, timeout: float = 5.0) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()  # SIGTERM: nginx's fast shutdown
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)


def require_nginx() -> None:
    """Fail (never skip) with the install hint when nginx is absent."""
    if nginx_binary() is None:
        raise TlsProxyError(NGINX_MISSING)


def prepare_tls_proxy(directory: Path, upstream_port: int, port: int | None = None) -> TlsProxy:
    """Certificates and a port, not started yet: the node's base_url needs the port first."""
    require_nginx()
    directory.mkdir(parents=True, exist_ok=True)
    certs = make_certificates(directory / "certs")
    return TlsProxy(port or free_port(), upstream_port, certs, directory)


@contextlib.asynccontextmanager
async def running_tls_proxy(proxy: TlsProxy) -> AsyncIterator[TlsProxy]:
    """Start nginx, wait until it answers, and always stop it at the end."""
    proxy.start()
    try:
        await proxy.wait_ready()
        yield proxy
    finally:
        await asyncio.to_thread(proxy.stop)


@dataclass
class NodeBehindProxy:
    """A full node (create_app) on plain http whose base_url is the proxy's https address."""

    node: RunningNode
    proxy: TlsProxy
    http: aiohttp.ClientSession  # trusts the test CA; every request goes through nginx


@contextlib.asynccontextmanager
async def node_behind_proxy(
    directory: Path, name: str, extra_settings: dict | None = None
) -> AsyncIterator[NodeBehindProxy]:
    """Initialise and serve a node, start nginx in front of it; stop both at the end."""
    from aiohttp import web

    from node.app import create_app
    from node.app.bootstrap import init_node
    from node.core.settings import load_settings
    from tests.conftest import RunningNode, create_tokens

    node_port = free_port()
    proxy = prepare_tls_proxy(directory / "proxy", node_port)
    data = directory / "node"
    settings_ = {"allow_private_network": True, **(extra_settings or {})}
    new = init_node(data, name, proxy.base_url, extra_settings=settings_)
    settings = load_settings(data, env={})
    node = RunningNode(settings, create_app(settings), None, new.admin_password, {})  # type: ignore[arg-type]
    node.tokens.update(create_tokens(settings))
    node.runner = web.AppRunner(node.app, handle_signals=False)
    await node.runner.setup()
    await web.TCPSite(node.runner, "127.0.0.1", node_port).start()
    try:
        async with running_tls_proxy(proxy), proxy.client_session() as http:
            yield NodeBehindProxy(node, proxy, http)
    finally:
        await node.runner.cleanup()
