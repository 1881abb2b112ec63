"""Client credentials against an in-process grpc server with certificates made by openssl at test time: the API key
and bearer token arrive as metadata, a private CA is trusted and a foreign one refused, the client certificate is
presented under mTLS, plaintext refuses secrets unless asked (loopback only), and secrets never show in repr()."""

from __future__ import annotations

import pathlib
import shutil
import subprocess
from concurrent import futures
from typing import Iterator

import grpc
import pytest

from restoregrpc import ClientConfig, CredentialsError, RestoreClient, UnavailableError
from restoregrpc.__main__ import main as cli_main
from restoregrpc._proto import models_pb2, restore_service_pb2_grpc

KEY = "py-api-key-4b1e"
TOKEN = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJweSJ9.sig-91c0"

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl CLI not found (apt: openssl)")


def _openssl(folder: pathlib.Path, *args: str) -> None:
    subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)


def _authority(folder: pathlib.Path, name: str) -> None:
    _openssl(folder, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", f"{name}.key", "-out", f"{name}.crt", "-days", "2", "-subj", f"/CN={name}",
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")


def _issue(folder: pathlib.Path, authority: str, name: str, extensions: str) -> None:
    (folder / f"{name}.ext").write_text(extensions)
    _openssl(folder, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}")
    _openssl(folder, "x509", "-req", "-in", f"{name}.csr", "-CA", f"{authority}.crt", "-CAkey", f"{authority}.key",
             "-CAcreateserial", "-out", f"{name}.crt", "-days", "2", "-extfile", f"{name}.ext")


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    folder = tmp_path_factory.mktemp("certs")
    _authority(folder, "ca")
    _authority(folder, "other-ca")
    _issue(folder, "ca", "server", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
    _issue(folder, "ca", "tenant-py", "subjectAltName=DNS:tenant-py\nextendedKeyUsage=clientAuth\n")
    return folder


class _Recorder(restore_service_pb2_grpc.RestoreServiceServicer):
    """Answers ListModels and records each call's metadata and the client certificate's common name."""

    def __init__(self) -> None:
        self.calls: list[dict[str, str]] = []

    def ListModels(self, request: models_pb2.ListModelsRequest, context: grpc.ServicerContext) -> models_pb2.ListModelsResponse:
        seen = {key: value for key, value in context.invocation_metadata() if isinstance(value, str)}
        names = context.auth_context().get("x509_common_name") or []
        seen["client_cn"] = names[0].decode() if names else ""
        self.calls.append(seen)
        return models_pb2.ListModelsResponse(default_model="m", models=[models_pb2.ModelInfo(name="m")])


def _serve(certs: pathlib.Path | None, *, require_client_certificate: bool = False) -> Iterator[tuple[str, _Recorder]]:
    recorder = _Recorder()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    restore_service_pb2_grpc.add_RestoreServiceServicer_to_server(recorder, server)
    if certs is None:
        port = server.add_insecure_port("127.0.0.1:0")
    else:
        credentials = grpc.ssl_server_credentials(
            [((certs / "server.key").read_bytes(), (certs / "server.crt").read_bytes())],
            root_certificates=(certs / "ca.crt").read_bytes() if require_client_certificate else None,
            require_client_auth=require_client_certificate,
        )
        port = server.add_secure_port("127.0.0.1:0", credentials)
    server.start()
    try:
        yield f"127.0.0.1:{port}", recorder
    finally:
        server.stop(None)


@pytest.fixture
def tls_server(certs: pathlib.Path) -> Iterator[tuple[str, _Recorder]]:
    yield from _serve(certs)


@pytest.fixture
def mtls_server(certs: pathlib.Path) -> Iterator[tuple[str, _Recorder]]:
    yield from _serve(certs, require_client_certificate=True)


@pytest.fixture
def plaintext_server() -> Iterator[tuple[str, _Recorder]]:
    yield from _serve(None)


def test_over_tls_with_the_private_ca_key_and_token_reach_the_server(tls_server: tuple[str, _Recorder], certs: pathlib.Path) -> None:
    target, recorder = tls_server
    with RestoreClient(ClientConfig(target=target, ca_file=certs / "ca.crt", api_key=KEY, bearer_token=TOKEN, max_attempts=1)) as client:
        assert [m.name for m in client.list_models()] == ["m"]
    assert recorder.calls[0]["x-api-key"] == KEY
    assert recorder.calls[0]["authorization"] == f"Bearer {TOKEN}"


def test_a_token_provider_is_asked_before_every_call(tls_server: tuple[str, _Recorder], certs: pathlib.Path) -> None:
    target, recorder = tls_server
    tokens = iter(["first", "second"])
    with RestoreClient(ClientConfig(target=target, ca_file=(certs / "ca.crt").read_bytes(), token_provider=lambda: next(tokens), max_attempts=1)) as client:
        client.list_models()
        client.list_models()
    assert [call["authorization"] for call in recorder.calls] == ["Bearer first", "Bearer second"]


def test_a_server_certificate_from_another_ca_is_refused(tls_server: tuple[str, _Recorder], certs: pathlib.Path) -> None:
    target, recorder = tls_server
    with RestoreClient(ClientConfig(target=target, ca_file=certs / "other-ca.crt", api_key=KEY, max_attempts=1, default_timeout=10)) as client:
        with pytest.raises(UnavailableError) as raised:
            client.list_models()
    assert "handshake" in str(raised.value).lower() or "certificate" in str(raised.value).lower()
    assert KEY not in str(raised.value) and KEY not in repr(raised.value)
    assert recorder.calls == []


def test_under_required_mtls_the_client_certificate_is_presented(mtls_server: tuple[str, _Recorder], certs: pathlib.Path) -> None:
    target, recorder = mtls_server
    config = ClientConfig(target=target, ca_file=certs / "ca.crt", cert_file=certs / "tenant-py.crt", key_file=certs / "tenant-py.key", max_attempts=1)
    with RestoreClient(config) as client:
        client.list_models()
    assert recorder.calls[0]["client_cn"] == "tenant-py"

    with RestoreClient(ClientConfig(target=target, ca_file=certs / "ca.crt", max_attempts=1, default_timeout=10)) as anonymous:
        with pytest.raises(UnavailableError):
            anonymous.list_models()
    assert len(recorder.calls) == 1


def test_plaintext_refuses_secrets_unless_asked_and_then_only_to_loopback(plaintext_server: tuple[str, _Recorder]) -> None:
    target, recorder = plaintext_server
    with pytest.raises(CredentialsError, match="plaintext") as refused:
        RestoreClient(ClientConfig(target=target, api_key=KEY))
    assert KEY not in str(refused.value)
    with pytest.raises(CredentialsError, match="loopback"):
        RestoreClient(ClientConfig(target="example.com:5000", api_key=KEY, allow_insecure_credentials=True))

    with RestoreClient(ClientConfig(target=target, api_key=KEY, allow_insecure_credentials=True, max_attempts=1)) as client:
        client.list_models()
    assert recorder.calls[0]["x-api-key"] == KEY


def test_header_unsafe_secrets_are_refused_without_quoting_them() -> None:
    with pytest.raises(CredentialsError) as refused:
        ClientConfig(target="localhost:1", tls=True, api_key="bad key\n-6c1d").channel_credentials()
    assert "6c1d" not in str(refused.value)


def test_repr_never_shows_the_secrets(certs: pathlib.Path) -> None:
    text = repr(ClientConfig(target="h:1", api_key=KEY, bearer_token=TOKEN, ca_file=certs / "ca.crt"))
    assert KEY not in text and TOKEN not in text
    assert "api_key=***" in text and "bearer_token=***" in text and "ca.crt" in text
    assert KEY not in str(ClientConfig(target="h:1", api_key=KEY))


def test_from_env_reads_server_key_and_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESTORE_SERVER", "env-host:7")
    monkeypatch.setenv("RESTORE_API_KEY", KEY)
    monkeypatch.setenv("RESTORE_TOKEN", TOKEN)
    config = ClientConfig.from_env(tls=True)
    assert (config.target, config.api_key, config.bearer_token, config.tls) == ("env-host:7", KEY, TOKEN, True)
    assert ClientConfig.from_env(api_key="given").api_key == "given"


def test_the_cli_takes_the_key_from_the_environment_and_never_prints_it(
    mtls_server: tuple[str, _Recorder], certs: pathlib.Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target, recorder = mtls_server
    monkeypatch.setenv("RESTORE_API_KEY", KEY)
    code = cli_main(["--server", f"https://{target}", "--ca", str(certs / "ca.crt"), "--cert", str(certs / "tenant-py.crt"),
                     "--key", str(certs / "tenant-py.key"), "--token", TOKEN, "models"])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert (recorder.calls[0]["x-api-key"], recorder.calls[0]["authorization"], recorder.calls[0]["client_cn"]) == (KEY, f"Bearer {TOKEN}", "tenant-py")
    assert KEY not in printed.out + printed.err and TOKEN not in printed.out + printed.err


def test_the_cli_refuses_a_key_over_plaintext_to_a_remote_host(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("RESTORE_API_KEY", raising=False)
    code = cli_main(["--server", "http://example.invalid:5000", "--api-key", KEY, "models"])
    printed = capsys.readouterr()
    assert code == 2 and "loopback" in printed.err and KEY not in printed.out + printed.err
