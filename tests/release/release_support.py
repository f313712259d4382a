"""Shared helpers for the release tests: repository paths, the workspace version, the built
.deb, PNG headers."""

from __future__ import annotations

import os
import struct
import tomllib
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def workspace_version() -> str:
    """The single source of the app's version: `[workspace.package] version` in Cargo.toml."""
    with open(REPO_ROOT / "Cargo.toml", "rb") as f:
        return tomllib.load(f)["workspace"]["package"]["version"]


def workspace_package() -> dict:
    with open(REPO_ROOT / "Cargo.toml", "rb") as f:
        return tomllib.load(f)["workspace"]["package"]


def find_deb() -> Path:
    """BP_DEB, or the newest .deb of the workspace version that scripts/bundle.sh built.

    The test command packages the debug build (bundle.sh --debug); a release bundle.sh run puts
    its .deb under release/. Whichever was built last is the one under test.
    """
    explicit = os.environ.get("BP_DEB")
    if explicit:
        path = Path(explicit)
        assert path.is_file(), f"BP_DEB={explicit} does not exist"
        return path.resolve()
    version = workspace_version()
    targets = {Path(d) for d in (os.environ.get("CARGO_TARGET_DIR", ""), str(REPO_ROOT / "target")) if d}
    dirs = sorted(t / profile / "bundle" / "deb" for t in targets for profile in ("debug", "release"))
    debs = [p for d in dirs for p in d.glob(f"*_{version}_*.deb")]
    assert debs, (
        f"no .deb of version {version} in {[str(d) for d in dirs]}; "
        "build it with `bash scripts/bundle.sh --debug` (or a release `bash scripts/bundle.sh`), or point BP_DEB at one"
    )
    return max(debs, key=lambda p: p.stat().st_mtime)


def png_header(path: Path) -> tuple[int, int, int, int]:
    """(width, height, bit depth, colour type) from the IHDR chunk, which PNG requires first.

    Only the first 29 bytes are read, however large the image is.
    """
    with open(path, "rb") as f:
        head = f.read(8 + 4 + 4 + 13)
    if len(head) < 29 or head[:8] != PNG_SIGNATURE:
        raise ValueError(f"{path} is not a PNG file (bad signature)")
    length, chunk_type = struct.unpack(">I4s", head[8:16])
    if chunk_type != b"IHDR" or length != 13:
        raise ValueError(f"{path}: first chunk is {chunk_type!r}, PNG requires IHDR")
    width, height, bit_depth, colour_type = struct.unpack(">IIBB", head[16:26])
    return width, height, bit_depth, colour_type


PNG_COLOUR_RGBA = 6
