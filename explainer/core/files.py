"""Writing and fingerprinting files: every write is atomic, every hash of inputs is taken one way.
Also slugs for ids and keys, and text escaped for a page so that it cannot read as a marker."""

from __future__ import annotations

import hashlib
import html
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

# While a build renders its pages (`freeze` .. `thaw`), in that thread only: each file's version
# and each memo asked for is worked out once. A build reads the same data files thousands of times
# (every source label, every chart's dates) and writes none of them meanwhile.
_frozen = threading.local()


def write_atomic(path: Path, content: bytes | str) -> None:
    """Write to a temporary file beside `path`, then rename it over: readers never see half a file."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_if_changed(path: Path, content: bytes) -> None:
    if not path.exists() or path.read_bytes() != content:
        write_atomic(path, content)


def fingerprint(files: Iterable[Path], *extra: bytes | str, root: Path | None = None) -> str:
    """A SHA-256 of the files' names (relative to `root`, else bare) and bytes, plus any extra strings.

    Missing files count as absent, so deleting an input changes the fingerprint too. Ordered by
    the names hashed, so a copy of a project elsewhere (its chart modules now sorting before or
    after the engine's files) keeps its fingerprints, and its build folder stays current.
    """
    h = hashlib.sha256()

    def name(p: Path) -> str:
        return p.relative_to(root).as_posix() if root else p.name

    for p in sorted((Path(f) for f in files), key=lambda p: (name(p), str(p))):
        if p.is_file():
            h.update(name(p).encode() + b"\0")
            h.update(hashlib.sha256(p.read_bytes()).digest())
    for x in extra:
        h.update(x.encode() if isinstance(x, str) else x)
    return h.hexdigest()


def freeze() -> None:
    """From now on, in this thread, `stat_key` and `frozen_memo` answer each question once (until
    `thaw`): for a stretch of work that reads files it never writes."""
    _frozen.memo = {}


def thaw() -> None:
    _frozen.memo = None


def frozen_memo(key: Any, compute: Callable[[], Any]) -> Any:
    """`compute()`, worked out once per `freeze` in this thread (every time when not frozen)."""
    memo = getattr(_frozen, "memo", None)
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def stat_key(path: Path) -> tuple[str, int | None, int | None]:
    """A file's version, for caches kept in memory: its path, size and modification time (the size
    and time None when it is missing). Read once per `freeze` in this thread."""
    return frozen_memo(("stat", str(path)), lambda: _stat_key(path))


def _stat_key(path: Path) -> tuple[str, int | None, int | None]:
    try:
        st = Path(path).stat()
    except OSError:
        return (str(path), None, None)
    return (str(path), st.st_size, st.st_mtime_ns)


def replace_dir(new: Path, target: Path) -> None:
    """`new` (a finished folder beside `target`) takes `target`'s place in one rename: readers of
    `target` see the old folder or the new one, never a half-written one."""
    old = target.with_name(f".{target.name}-old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)
    os.chmod(target, 0o755)


def site_stamp(site_dir: Path, out_dir: Path) -> Path:
    """Where the fingerprint of what a built site folder was built from is kept (in `out_dir`)."""
    return out_dir / "site-inputs" / fingerprint([], str(Path(site_dir).resolve()))[:16]


def tree(path: Path) -> list[Path]:
    """Every file below a folder, caches excluded."""
    return [p for p in Path(path).rglob("*") if p.is_file() and "__pycache__" not in p.parts]


def esc_marker(value: object) -> str:
    """Escaped for HTML, braces too: quoted text (a commit message, a correction, a failed marker)
    that holds a page marker stays text, never expanded."""
    return html.escape(str(value), quote=True).replace("{", "&#123;").replace("}", "&#125;")


def slug(text: str) -> str:
    """Lower-case letters and digits joined by hyphens: for ids, keys and file names."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
