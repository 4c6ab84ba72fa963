"""Where the agents' KTP and selfie images come from: a folder of the panel's machine, or a base
URL (the application's file server or bucket), named by ``BACKOFFICE_AGENT_IMAGES``.

The name stored in ``am_user`` is taken as a bare file name inside that place, never as a path or
a URL of its own; only image types are served; a remote image is fetched with a short timeout and
a size cap. Pages never link to the source: the panel's gated endpoint hands over the bytes, so
the permission gate and the CSP both hold.
"""

import logging
import mimetypes
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from werkzeug.security import safe_join

log = logging.getLogger(__name__)

IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
#: The largest image served, and how long a remote one may take.
MAX_BYTES = 5 * 1024 * 1024
TIMEOUT_SECONDS = 5


def locate(source: str | None, stored: str | None) -> Path | str | None:
    """The image's file or URL, or None when there is none to serve (no source configured, no
    name stored, not an image, or a file that is not there)."""
    name = Path(stored or "").name  # "uploads/ktp_1.png" and "../x.png" both become a bare name
    if not source or not name or name == "-" or mimetypes.guess_type(name)[0] not in IMAGE_TYPES:
        return None
    if source.startswith(("http://", "https://")):
        return source.rstrip("/") + "/" + urllib.parse.quote(name)
    joined = safe_join(source, name)
    return Path(joined) if joined is not None and Path(joined).is_file() else None


def read(place: Path | str) -> tuple[bytes, str] | None:
    """The image's bytes and type, or None when it cannot be had (logged)."""
    mimetype = mimetypes.guess_type(str(place))[0]
    if isinstance(place, Path):
        data = place.read_bytes()
        return (data, mimetype) if len(data) <= MAX_BYTES else None
    try:
        # Only http(s): locate() built the URL from the configured base.
        with urllib.request.urlopen(place, timeout=TIMEOUT_SECONDS) as response:
            sent = response.headers.get_content_type()
            data = response.read(MAX_BYTES + 1)
    except (urllib.error.URLError, OSError) as exc:
        log.warning("agent image %s not fetched: %s", place, exc)
        return None
    if sent not in IMAGE_TYPES or len(data) > MAX_BYTES:
        log.warning("agent image %s refused: %s, %d bytes", place, sent, len(data))
        return None
    return data, sent
