"""Saved results carry an HMAC, so a result file changed by anyone without the key is not trusted.

The key is 32 random bytes in a per-user file outside every output folder:
`$XDG_DATA_HOME/escalation/grading.key` (default `~/.local/share/escalation/grading.key`), created with
mode 0600 in a 0700 folder; without a usable home folder (some CI runners), in a private 0700 folder in the
system's temporary folder. `ESCALATION_GRADING_KEY` names another file (tests use it). Sealed student
code can neither read it (Landlock grants no access to the home folder) nor write the output folder; the
check also protects against a result copied from another student's file or edited by hand, and against
anything that ran unsealed.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

MAC_FIELD = "mac"


def key_path() -> Path:
    explicit = os.environ.get("ESCALATION_GRADING_KEY")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "escalation" / "grading.key"


_cache: dict[str, bytes] = {}


def _fallback_path() -> Path:
    """Where the key goes when the home folder cannot hold it (a CI runner without a home): a private folder in
    the system's temporary folder (graded code cannot read the temporary folder either)."""
    import tempfile

    return Path(tempfile.gettempdir()) / f"escalation-grading-key-{os.getuid() if hasattr(os, 'getuid') else 0}" / "grading.key"


def load_key() -> bytes:
    """The per-user key, created on first use (0600)."""
    try:
        return _load(key_path())
    except ValueError:
        if os.environ.get("ESCALATION_GRADING_KEY"):
            raise
        fallback = _fallback_path()
        fallback.parent.mkdir(mode=0o700, exist_ok=True)
        info = fallback.parent.stat()
        if hasattr(os, "getuid") and (info.st_uid != os.getuid() or info.st_mode & 0o077):
            raise ValueError(f"{fallback.parent} is not private to you: set ESCALATION_GRADING_KEY to a key file "
                             "in a private folder.") from None
        return _load(fallback)


def _load(path: Path) -> bytes:
    if str(path) in _cache:
        return _cache[str(path)]
    try:
        try:
            key = path.read_bytes()
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            key = secrets.token_bytes(32)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another grader created it meanwhile
                key = path.read_bytes()
            else:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(key)
    except OSError as exc:
        raise ValueError(f"The grading key {path} cannot be read or created ({exc.strerror}): set "
                         "ESCALATION_GRADING_KEY to a file in a private folder you can write.") from None
    if len(key) < 16:
        raise ValueError(f"The grading key {path} is damaged (too short): delete it; the next run regrades all.")
    _cache[str(path)] = key
    return key


def _canonical(data: dict) -> bytes:
    body = {k: v for k, v in data.items() if k != MAC_FIELD}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign(data: dict) -> dict:
    """`data` with its MAC added."""
    return dict(data, **{MAC_FIELD: hmac.new(load_key(), _canonical(data), hashlib.sha256).hexdigest()})


def verify(data) -> bool:
    """True when `data` carries a MAC made with this user's key over exactly this content."""
    if not isinstance(data, dict) or not isinstance(data.get(MAC_FIELD), str):
        return False
    want = hmac.new(load_key(), _canonical(data), hashlib.sha256).hexdigest()
    return hmac.compare_digest(want, data[MAC_FIELD])
