"""Where a service's webhooks may go: public addresses only (no SSRF into our own network).

Checked when a service client is saved (`ServiceClient.clean`) and again on every connect by the
webhook sender (`audit.webhooks`), since what a name resolves to can change after it was saved.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings


class WebhookTargetRefused(OSError):
    """The webhook host resolves to an address we do not send to (private, loopback, …)."""


def refused_address(address: str) -> bool:
    """Loopback, private, link-local, shared, reserved, multicast or unspecified: anything not global.

    An IPv4-mapped IPv6 address (::ffff:127.0.0.1) is judged as the IPv4 address it maps.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def check_webhook_host(host: str, port: int | None) -> list[tuple[Any, ...]]:
    """Resolves `host`; raises WebhookTargetRefused unless every address it resolves to is allowed.

    Every address is checked, not just the first: a name with one public and one private record
    would otherwise reach the private one on a retry.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise WebhookTargetRefused(f"{host}: does not resolve ({exc})") from None
    if not settings.REVIEWQUEUE_WEBHOOK_ALLOW_PRIVATE:
        refused = sorted({str(info[4][0]) for info in infos if refused_address(str(info[4][0]))})
        if refused:
            raise WebhookTargetRefused(
                f"{host} resolves to {', '.join(refused)}: not a public address "
                "(REVIEWQUEUE_WEBHOOK_ALLOW_PRIVATE allows it)"
            )
    return infos


def webhook_url_problem(url: str) -> str | None:
    """Why `url` may not be a webhook target (for a form or a model's clean), or None if it may:
    http(s) with a host that resolves to allowed addresses only. Delivery checks again on every
    connect, since what a name resolves to can change after it was saved."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return "Use an http:// or https:// URL with a host."
    try:
        check_webhook_host(parts.hostname, parts.port)
    except (WebhookTargetRefused, ValueError) as exc:
        return str(exc)
    return None
