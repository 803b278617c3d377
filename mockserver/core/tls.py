"""HTTPS for a local fake: a certificate authority kept on disk and a server certificate it signs.

The authority is made once per directory and reused, so a client told to trust it (``SSL_CERT_FILE``) keeps
trusting the fake across restarts; the server certificate is issued anew at each start for the names the fake
is reached by.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class TlsFiles:
    """The PEM files a server and its clients need."""

    ca_file: Path
    cert_file: Path
    key_file: Path

    def client_context(self) -> ssl.SSLContext:
        """An SSL context that trusts the fake's authority (pass it as ``httpx.Client(verify=...)``)."""
        return ssl.create_default_context(cafile=str(self.ca_file))


def default_directory() -> Path:
    """Where ``mockserver serve --tls`` keeps its authority: the user's cache, as XDG places it."""
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "mockserver" / "tls"


def local_certificate(directory: Path, names: Iterable[str] = ()) -> TlsFiles:
    """The authority in ``directory`` (made if missing) and a server certificate for loopback and ``names``."""
    import trustme

    directory.mkdir(parents=True, exist_ok=True)
    files = TlsFiles(directory / "ca.pem", directory / "server.pem", directory / "server-key.pem")
    ca_key = directory / "ca-key.pem"
    if files.ca_file.is_file() and ca_key.is_file():
        ca = trustme.CA.from_pem(files.ca_file.read_bytes(), ca_key.read_bytes())
    else:
        ca = trustme.CA(organization_name="Scenario mockserver (local)")
        _write(ca_key, ca.private_key_pem.bytes(), private=True)
        _write(files.ca_file, ca.cert_pem.bytes())
    identities = list(dict.fromkeys([*LOOPBACK_NAMES, *(name for name in names if name)]))
    leaf = ca.issue_cert(*identities, common_name=identities[0])
    _write(files.cert_file, b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
    _write(files.key_file, leaf.private_key_pem.bytes(), private=True)
    return files


def _write(path: Path, content: bytes, private: bool = False) -> None:
    """Write through a temporary file, so a reader never sees half a certificate; keys readable by the owner only."""
    temporary = path.with_name(f".{path.name}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
    os.replace(temporary, path)
