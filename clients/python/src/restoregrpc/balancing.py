"""Client-side balancing over several server instances with gRPC's own machinery (no proxy, no pool of channels):
a ``dns:///host:port`` target (a Kubernetes headless Service: one A record per ready pod) or a fixed list of
addresses (an ``ipv4:``/``ipv6:`` multi-address target), the ``round_robin`` policy, and gRPC's client-side health
checking (gRFC A17): every subchannel watches the instance's ``grpc.health.v1`` readiness and gets calls only while
it reports SERVING, so an instance that drains (SIGTERM) or whose default model is not ready is skipped."""

from __future__ import annotations

import ipaddress
from typing import Sequence

#: The grpc.health.v1 service name the server reports SERVING under once it can take requests (its readiness: the
#: default model is loaded and the server is not draining). The empty name is its liveness.
READINESS_SERVICE = "restoregrpc.v1.RestoreService"

#: Rounds of the channel's retry policy an idempotent call gets on a balanced channel: gRPC caps a policy at five
#: attempts and does not retry a call whose response had begun, so a call caught by an instance's crash gets a
#: few more rounds, on the instances that are left (the C# SDK does the same).
BALANCED_ROUNDS = 3

_BALANCED_SCHEMES = ("dns:", "ipv4:", "ipv6:")


def is_balanced(target: str, addresses: Sequence[str]) -> bool:
    """Whether calls are balanced: a list of addresses, or a target that can resolve to several (``dns:``, or an
    explicit ``ipv4:``/``ipv6:`` list)."""
    return bool(addresses) or target.lower().startswith(_BALANCED_SCHEMES)


def channel_target(target: str, addresses: Sequence[str]) -> str:
    """The target gRPC dials: ``target`` itself, or for a list of ``ip:port`` addresses the ``ipv4:a,b`` (or
    ``ipv6:[a]:p,[b]:p``) target that gRPC's own resolver reads. Host names are not allowed in a list (gRPC would not
    resolve them there): give one ``dns:///name:port`` target instead."""
    if not addresses:
        return target
    families = set()
    for address in addresses:
        host, _, port = address.rpartition(":")
        if not port.isdigit() or not host:
            raise ValueError(f"an address is ip:port or [ipv6]:port, not {address!r}")
        try:
            families.add(ipaddress.ip_address(host.strip("[]")).version)
        except ValueError:
            raise ValueError(f"addresses are IP literals, not {address!r}: for host names give target='dns:///name:port'") from None
    if len(families) > 1:
        raise ValueError("addresses are all IPv4 or all IPv6 (one gRPC target cannot mix them)")
    return f"ipv{families.pop()}:" + ",".join(addresses)


def balancing_service_config(health_check_service: str | None) -> dict[str, object]:
    """The service-config entries that balance: ``round_robin``, and client-side health checking of
    ``health_check_service`` on every subchannel (None turns it off: connection state alone then decides)."""
    config: dict[str, object] = {"loadBalancingConfig": [{"round_robin": {}}]}
    if health_check_service is not None:
        config["healthCheckConfig"] = {"serviceName": health_check_service}
    return config
