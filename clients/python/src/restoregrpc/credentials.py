"""Client credentials: TLS trust (a private CA), a client certificate (mTLS), and an API key or bearer token sent
as call credentials (``x-api-key`` / ``authorization: Bearer …``) on every call.

Secrets are never part of ``repr()``, logs or error messages.
"""

from __future__ import annotations

import ipaddress
import os
from typing import Callable, Union

import grpc

API_KEY_HEADER = "x-api-key"
AUTHORIZATION_HEADER = "authorization"

API_KEY_ENVIRONMENT = "RESTORE_API_KEY"
TOKEN_ENVIRONMENT = "RESTORE_TOKEN"
SERVER_ENVIRONMENT = "RESTORE_SERVER"

PemSource = Union[str, "os.PathLike[str]", bytes]
TokenProvider = Callable[[], str]


class CredentialsError(ValueError):
    """Credential settings that do not fit together or cannot be read; the message never holds a secret."""


def read_pem(source: PemSource | None, what: str) -> bytes | None:
    """PEM bytes as given, or read from a path."""
    if source is None:
        return None
    if isinstance(source, bytes):
        return source
    try:
        with open(source, "rb") as file:
            data = file.read()
    except OSError as error:
        raise CredentialsError(f"cannot read the {what} {os.fspath(source)}: {error.strerror}") from None
    if b"-----BEGIN" not in data:
        raise CredentialsError(f"the {what} {os.fspath(source)} holds no PEM block (-----BEGIN ...-----)")
    return data


def header_safe(value: str, name: str) -> str:
    """The value trimmed, when it is non-empty visible ASCII (what a header can carry); errors never quote it."""
    trimmed = value.strip()
    if not trimmed:
        raise CredentialsError(f"{name} is empty")
    if any(not ("!" <= c <= "~") for c in trimmed):
        raise CredentialsError(f"{name} holds characters a gRPC header cannot carry (only visible ASCII); its value is not shown")
    return trimmed


def is_loopback_target(target: str) -> bool:
    """True for ``localhost``/``127.x``/``[::1]`` targets (``host:port``, optionally with a scheme)."""
    host = target.split("://", 1)[-1].lstrip("/")  # dns:///host:port has an empty authority
    if host.startswith("["):
        host = host[1 : host.find("]")]
    elif host.count(":") == 1:
        host = host.rsplit(":", 1)[0]
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _HeaderPlugin(grpc.AuthMetadataPlugin):
    """Adds the key and the (possibly refreshed) token to each call's metadata."""

    def __init__(self, api_key: str | None, token: str | None, provider: TokenProvider | None) -> None:
        self._api_key = api_key
        self._token = token
        self._provider = provider

    def __call__(self, context: grpc.AuthMetadataContext, callback: grpc.AuthMetadataPluginCallback) -> None:
        try:
            metadata: list[tuple[str, str]] = []
            if self._api_key is not None:
                metadata.append((API_KEY_HEADER, self._api_key))
            token = header_safe(self._provider(), "token_provider's token") if self._provider is not None else self._token
            if token is not None:
                metadata.append((AUTHORIZATION_HEADER, f"Bearer {token}"))
            callback(tuple(metadata), None)
        except Exception as error:  # noqa: BLE001 - reported to gRPC, which fails the call with UNAUTHENTICATED/UNAVAILABLE
            callback((), CredentialsError(f"could not obtain call credentials: {type(error).__name__}"))

    def __repr__(self) -> str:
        return "_HeaderPlugin(***)"


def call_credentials(api_key: str | None, token: str | None, provider: TokenProvider | None) -> grpc.CallCredentials | None:
    if token is not None and provider is not None:
        raise CredentialsError("set bearer_token or token_provider, not both")
    api_key = header_safe(api_key, "api_key") if api_key is not None else None
    token = header_safe(token, "bearer_token") if token is not None else None
    if api_key is None and token is None and provider is None:
        return None
    return grpc.metadata_call_credentials(_HeaderPlugin(api_key, token, provider), name="restoregrpc")
