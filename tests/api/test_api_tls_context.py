"""The default TLS context: httpx's, with the CA bundle read on the first handshake only."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from api_fixture_server import FixtureServer, Reply

from desktop_app.api import SyncVLLMClient, TLSError, VLLMClient
from desktop_app.api.connection import default_ssl_context, ssl_context

SETTINGS = [
    "options",
    "verify_mode",
    "check_hostname",
    "minimum_version",
    "maximum_version",
    "protocol",
    "verify_flags",
    "post_handshake_auth",
    "security_level",
    "hostname_checks_common_name",
]


def test_same_settings_and_certificates_as_httpx_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)
    ours, theirs = default_ssl_context(), httpx.create_ssl_context()
    assert [getattr(ours, s) for s in SETTINGS] == [getattr(theirs, s) for s in SETTINGS]
    assert ours.cert_store_stats()["x509_ca"] == 0  # nothing read yet
    ours._load_trust()
    assert ours.get_ca_certs() == theirs.get_ca_certs()
    assert ours.get_ciphers() == theirs.get_ciphers()


def test_only_verify_true_is_deferred() -> None:
    assert ssl_context(False) is False
    assert type(ssl_context(True)).__name__ == "_DeferredTrustContext"


def test_a_plain_http_client_never_reads_the_bundle() -> None:
    context = default_ssl_context()
    transport = httpx.HTTPTransport(verify=context)
    with httpx.Client(transport=transport):
        pass
    assert context.cert_store_stats()["x509_ca"] == 0


@pytest.fixture(scope="module")
def tls_server(self_signed_cert: tuple[Path, Path]) -> Iterator[tuple[FixtureServer, str]]:
    cert, key = self_signed_cert
    server = FixtureServer(ssl_certfile=str(cert), ssl_keyfile=str(key)).start()
    server.route(
        "/v1/chat/completions",
        Reply.json({"choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}}]}),
    )
    try:
        yield server, str(cert)
    finally:
        server.stop()


def _complete_sync(url: str) -> object:
    from desktop_app.api import ChatRequest, Message

    with SyncVLLMClient(url) as client:
        return client.complete(ChatRequest(model=None, messages=(Message.user("Hi"),)))


async def _health_async(url: str) -> bool:
    async with VLLMClient(url) as client:
        return await client.health()


def test_verification_fails_closed_for_an_unknown_certificate(
    tls_server: tuple[FixtureServer, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, _ = tls_server
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(TLSError, match="certificate could not be verified"):
        _complete_sync(server.url)
    with pytest.raises(TLSError, match="certificate could not be verified"):
        asyncio.run(_health_async(server.url))


def test_ssl_cert_file_is_honoured_as_httpx_does(
    tls_server: tuple[FixtureServer, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, cert = tls_server
    monkeypatch.setenv("SSL_CERT_FILE", cert)
    assert _complete_sync(server.url).content == "hi"  # type: ignore[attr-defined]
    assert asyncio.run(_health_async(server.url)) is False  # reached; no /health route
