"""Fixtures for testing the official BeProduct Python SDK against the local sandbox (bp-sandbox).

The sandbox binary comes from BP_SANDBOX_BIN (set by scripts/test.sh); without it the fixture
builds it with cargo. Every test session gets its own sandbox on a free port with its own data dir.
"""

import contextlib
import http.server
import os
import shutil
import struct
import subprocess
import threading
import time
import uuid
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from beproduct.sdk import BeProduct

REPO_ROOT = Path(__file__).resolve().parents[2]

# The sandbox's default credentials (see `bp-sandbox --help` and README.md).
COMPANY = "sandbox"
CLIENT_ID = "sandbox-client"
CLIENT_SECRET = "sandbox-secret"
REFRESH_TOKEN = "sandbox-refresh-token"

LISTENING_PREFIX = "bp-sandbox listening on "
START_TIMEOUT_S = 60
READY_TIMEOUT_S = 30


@dataclass
class RunningSandbox:
    base_url: str
    log_path: Path

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/ids/connect/token"

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError as err:
            return f"(no log: {err})"


def _sandbox_binary() -> Path:
    from_env = os.environ.get("BP_SANDBOX_BIN")
    if from_env:
        path = Path(from_env)
        if not path.is_file():
            pytest.fail(f"BP_SANDBOX_BIN={from_env} does not exist; build it with "
                        "`cargo build --workspace --bin bp-sandbox` or unset BP_SANDBOX_BIN")
        return path
    cargo = shutil.which("cargo")
    if cargo is None:
        pytest.fail("bp-sandbox not found: set BP_SANDBOX_BIN to the binary, or install Rust "
                    "(cargo) so the tests can build it (see README.md)")
    # --workspace keeps features unified with the other builds, so their dependencies are reused.
    build = subprocess.run(
        [cargo, "build", "--workspace", "--bin", "bp-sandbox"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=1800,
    )
    if build.returncode != 0:
        pytest.fail("`cargo build --workspace --bin bp-sandbox` failed, so the SDK tests cannot start "
                    f"the sandbox:\n{build.stderr[-4000:]}")
    target_dir = Path(os.environ.get("CARGO_TARGET_DIR", REPO_ROOT / "target"))
    if not target_dir.is_absolute():
        target_dir = REPO_ROOT / target_dir
    return target_dir / "debug" / "bp-sandbox"


def _wait_for_listening_line(proc: subprocess.Popen, log_path: Path) -> str:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        text = log_path.read_text(errors="replace") if log_path.exists() else ""
        for line in text.splitlines():
            if line.startswith(LISTENING_PREFIX):
                return line[len(LISTENING_PREFIX):].strip().rstrip("/")
        if proc.poll() is not None:
            pytest.fail(f"bp-sandbox exited with {proc.returncode} before listening:\n{text[-4000:]}")
        time.sleep(0.05)
    pytest.fail(f"bp-sandbox printed no '{LISTENING_PREFIX}...' line within {START_TIMEOUT_S} s")


def _wait_until_ready(base_url: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    last = None
    while time.monotonic() < deadline:
        try:
            response = requests.get(f"{base_url}/", timeout=2)
            if response.status_code == 200:
                return
            last = f"status {response.status_code}"
        except requests.RequestException as err:
            last = repr(err)
        time.sleep(0.1)
    pytest.fail(f"bp-sandbox at {base_url} did not answer GET / with 200 within "
                f"{READY_TIMEOUT_S} s (last: {last})")


@contextlib.contextmanager
def running_sandbox(workdir: Path, processing_ms: int):
    """Starts bp-sandbox on a free port with its own data dir; stops it on exit."""
    log_path = workdir / "sandbox.log"
    with open(log_path, "wb") as log:
        # Output goes to a file, not a pipe, so a chatty sandbox can never block on a full pipe.
        proc = subprocess.Popen(
            [str(_sandbox_binary()), "--listen", "127.0.0.1:0", "--data", str(workdir / "data"),
             "--processing-ms", str(processing_ms)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    try:
        base_url = _wait_for_listening_line(proc, log_path)
        _wait_until_ready(base_url)
        yield RunningSandbox(base_url=base_url, log_path=log_path)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory):
    """A running bp-sandbox with the demo seed and fast (300 ms) image processing."""
    with running_sandbox(tmp_path_factory.mktemp("bp-sandbox"), processing_ms=300) as running:
        yield running


@pytest.fixture(scope="module")
def slow_sandbox(tmp_path_factory):
    """A second sandbox whose processing takes 2 s, long enough to observe the busy state."""
    with running_sandbox(tmp_path_factory.mktemp("bp-sandbox-slow"), processing_ms=2000) as running:
        yield running


def sdk_for(sandbox: RunningSandbox, cls=BeProduct, **overrides):
    settings = dict(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, refresh_token=REFRESH_TOKEN,
        company_domain=COMPANY, public_api_url=sandbox.base_url, token_endpoint=sandbox.token_url,
    )
    settings.update(overrides)
    return cls(**settings)


@pytest.fixture
def make_sdk():
    """Builds an SDK client for a sandbox, e.g. make_sdk(sandbox, client_secret="wrong")."""
    return sdk_for


@pytest.fixture(scope="session")
def sdk(sandbox):
    """The official synchronous SDK client, unmodified, pointed at the sandbox."""
    return sdk_for(sandbox)


@pytest.fixture(scope="session")
def folder_id(sdk):
    folders = sdk.image.folders()
    assert folders, "the demo seed should have at least one Image folder"
    return folders[0]["id"]


@pytest.fixture
def new_image(sdk, folder_id):
    """Creates images with unique numbers and deletes whatever is left of them afterwards."""
    created = []

    def create(**fields):
        number = fields.pop("header_number", f"PYSDK-{uuid.uuid4().hex[:10].upper()}")
        body = {"header_number": number, "header_name": f"SDK test {number}", **fields}
        header = sdk.image.attributes_create(folder_id, body)
        created.append(header["id"])
        return header

    yield create
    for header_id in created:
        try:
            sdk.image.attributes_delete(header_id)
        except Exception:  # already deleted by the test itself
            pass


def png_bytes(width: int, height: int, rgb: tuple) -> bytes:
    """A valid 8-bit RGB PNG of one colour, built with zlib only (no Pillow needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    row = b"\x00" + bytes(rgb) * width  # filter byte 0 (None) + pixels
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(row * height, 9)) + chunk(b"IEND", b""))


@pytest.fixture
def png_file(tmp_path):
    """Writes a PNG with a unique name and returns its path."""
    def write(stem: str = "sdk-upload", rgb=(200, 40, 90), size=(64, 48)) -> Path:
        path = tmp_path / f"{stem}-{uuid.uuid4().hex[:8]}.png"
        path.write_bytes(png_bytes(size[0], size[1], rgb))
        return path

    return write


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keep pytest output clean
        pass


@pytest.fixture
def file_server(tmp_path):
    """Serves a folder over HTTP on 127.0.0.1 (with Content-Length, which the SDK requires)."""
    root = tmp_path / "served"
    root.mkdir()

    def handler(*args, **kwargs):
        return _QuietHandler(*args, directory=str(root), **kwargs)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
