"""Small text helpers for documents: safe file names and human sizes."""

import ipaddress
import re
import unicodedata
from pathlib import PurePosixPath, PureWindowsPath

MAX_NAME = 150


def clean_filename(value: str, *, keep_extension: bool = True) -> str:
    """A display name safe to show and to put in a download header.

    Drops any folder part ("../../x", "C:\\x"), control and format characters (CR, LF, NUL,
    right-to-left overrides), and trims to MAX_NAME characters keeping the extension.
    """
    value = PureWindowsPath(PurePosixPath(value or "").name).name
    value = unicodedata.normalize("NFC", value)
    dropped = {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}
    value = "".join(ch for ch in value if unicodedata.category(ch) not in dropped)
    value = re.sub(r"\s+", " ", value).strip().strip(".").strip()
    if not keep_extension:
        return value[:MAX_NAME].strip()
    stem, dot, ext = value.rpartition(".")
    if not dot or len(ext) > 8:
        return value[:MAX_NAME].strip()
    return f"{stem[:MAX_NAME - len(ext) - 1].strip()}.{ext}"


def split_extension(name: str) -> tuple[str, str]:
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        return name, ""
    return stem, "." + ext.lower()


def format_bytes(size: int) -> str:
    """1536 -> '1.5 KB'. Decimal-free for whole numbers ('20 MB')."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            if unit == "bytes":
                return "1 byte" if size == 1 else f"{size} bytes"
            text = f"{value:.1f}".removesuffix(".0")
            return f"{text} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def describe_user_agent(agent: str) -> str:
    """'Firefox on Windows' from a User-Agent header; 'Unknown browser' when we cannot tell."""
    agent = agent or ""
    browser = next((name for token, name in (
        ("Edg/", "Edge"), ("OPR/", "Opera"), ("SamsungBrowser", "Samsung Internet"), ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"), ("Chromium/", "Chromium"), ("Safari/", "Safari"),
    ) if token in agent), "Unknown browser")
    system = next((name for token, name in (
        ("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
        ("Mac OS X", "Mac"), ("CrOS", "ChromeOS"), ("Linux", "Linux"),
    ) if token in agent), "")
    return f"{browser} on {system}" if system else browser


def describe_device(agent: str) -> str:
    """'Chrome on an Android phone', for emails and the signed-in devices page: never the raw header."""
    agent = agent or ""
    browser = describe_user_agent(agent).split(" on ")[0]
    if "iPhone" in agent:
        device = "an iPhone"
    elif "iPad" in agent:
        device = "an iPad"
    elif "Android" in agent:
        device = "an Android phone" if "Mobile" in agent else "an Android tablet"
    elif "Windows" in agent:
        device = "a Windows computer"
    elif "Mac OS X" in agent:
        device = "a Mac"
    elif "CrOS" in agent:
        device = "a Chromebook"
    elif "Linux" in agent:
        device = "a Linux computer"
    else:
        device = ""
    if browser == "Unknown browser":
        return f"a web browser on {device}" if device else "a web browser we could not identify"
    return f"{browser} on {device}" if device else browser


# Addresses are kept as their network only (see accounts.sessions): an IPv4 /24, an IPv6 /48.
IPV4_PREFIX, IPV6_PREFIX = 24, 48


def network_of(address: str | None) -> str | None:
    """The address with everything past its network set to zero (see the module's docstring)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = IPV4_PREFIX if ip.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


def describe_network(network: str | None) -> str:
    """'203.0.113.x' or '2001:db8:85a3:x': the kept part, and an x for the part we did not keep."""
    try:
        ip = ipaddress.ip_address(network or "")
    except ValueError:
        return ""
    if ip.version == 4:
        return ".".join(str(ip).split(".")[:3]) + ".x"
    groups = ip.exploded.split(":")[:IPV6_PREFIX // 16]
    return ":".join(group.lstrip("0") or "0" for group in groups) + ":x"
