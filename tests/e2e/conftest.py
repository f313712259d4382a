"""Fixtures for the end-to-end tests: a real bp-sandbox, an X display, tauri-driver running the
real app binary, and a WebDriver session. Paths come from the environment with defaults that
work when run by hand (see README in tests/)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from sandbox_api import CREDS, SandboxApi
from webdriver import Session

REPO = Path(__file__).resolve().parents[2]
SANDBOX_BIN = os.environ.get("BP_SANDBOX_BIN", "/tmp/tgt-wire/debug/bp-sandbox")
APP_BIN = os.environ.get("BP_APP_BIN", "/tmp/tgt-app/debug/beproduct-images")
TAURI_DRIVER = os.environ.get("TAURI_DRIVER") or shutil.which("tauri-driver") or str(Path.home() / ".cargo/bin/tauri-driver")
NATIVE_DRIVER = os.environ.get("BP_NATIVE_DRIVER", "/usr/bin/WebKitWebDriver")
ARTIFACTS = Path(os.environ.get("BP_ARTIFACTS", REPO / "tests" / "artifacts"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc: subprocess.Popen, group: bool = False) -> None:
    """Ends a process this suite started (and its own process group when it has one)."""
    if proc.poll() is not None:
        return
    try:
        if group:
            os.killpg(proc.pid, signal.SIGTERM)
        else:
            proc.terminate()
        proc.wait(timeout=10)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        try:
            os.killpg(proc.pid, signal.SIGKILL) if group else proc.kill()
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


def require_file(path: str, what: str) -> None:
    if not (path and Path(path).is_file() and os.access(path, os.X_OK)):
        pytest.fail(f"{what} not found at {path!r}; build it or set the environment variable (see tests/e2e/conftest.py)")


def isolated_home(root: Path) -> dict:
    """HOME and XDG folders inside `root`, so the app never touches the user's data or keychain."""
    env = {"HOME": str(root / "home")}
    for var, sub in [("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"), ("XDG_CACHE_HOME", "cache")]:
        env[var] = str(root / sub)
    for p in env.values():
        Path(p).mkdir(parents=True, exist_ok=True)
    return env


def base_env() -> dict:
    """The parent environment without any BeProduct credentials or D-Bus session."""
    return {k: v for k, v in os.environ.items() if not k.startswith("BEPRODUCT_") and k != "DBUS_SESSION_BUS_ADDRESS"}


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def display():
    """Uses $DISPLAY when set; otherwise runs a private Xvfb for the session."""
    if os.environ.get("DISPLAY"):
        yield os.environ["DISPLAY"]
        return
    for n in range(90, 130):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            break
    proc = subprocess.Popen(["Xvfb", f":{n}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not Path(f"/tmp/.X11-unix/X{n}").exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            stop(proc)
            pytest.fail(f"Xvfb :{n} did not start")
        time.sleep(0.1)
    yield f":{n}"
    stop(proc)


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory):
    """A real bp-sandbox with the demo seed on a free port. Yields (base_url, SandboxApi)."""
    yield from run_sandbox(tmp_path_factory.mktemp("sandbox-data"), processing_ms=300)


def run_sandbox(data: Path, processing_ms: int):
    """Generator body for sandbox fixtures: starts bp-sandbox, yields (base_url, SandboxApi), stops it."""
    proc, base = start_sandbox_process(data, ["--processing-ms", str(processing_ms)])
    try:
        yield base, SandboxApi(base)
    finally:
        stop(proc)


def start_sandbox_process(data: Path, extra_args: list[str]) -> tuple[subprocess.Popen, str]:
    """Starts bp-sandbox on a free port with `extra_args` and its test controls (/__sandbox/,
    which sandbox_api.py uses); returns it and its base URL."""
    require_file(SANDBOX_BIN, "bp-sandbox")
    proc = subprocess.Popen([SANDBOX_BIN, "--listen", "127.0.0.1:0", "--data", str(data), "--test-controls", *extra_args],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=base_env())
    line = ""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if "listening on" in line or not line and proc.poll() is not None:
            break
    match = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
    if not match:
        stop(proc)
        pytest.fail(f"bp-sandbox did not report its address (first line: {line!r})")
    return proc, match.group(1)


def start_driver(env: dict, in_dbus_with_keyring: bool = False) -> tuple[subprocess.Popen, str]:
    """Starts tauri-driver and waits for /status. With `in_dbus_with_keyring` it runs inside a
    private D-Bus session with an unlocked, empty GNOME Keyring (the app inherits both)."""
    require_file(TAURI_DRIVER, "tauri-driver")
    require_file(NATIVE_DRIVER, "WebKitWebDriver (Debian package webkit2gtk-driver)")
    port = free_port()
    cmd = [TAURI_DRIVER, "--port", str(port), "--native-port", str(free_port()), "--native-driver", NATIVE_DRIVER]
    if in_dbus_with_keyring:
        unlock = "echo -n e2e-pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1;"
        cmd = ["dbus-run-session", "--", "sh", "-c", f"{unlock} exec {shlex.join(cmd)}"]
    log = open(ARTIFACTS / f"tauri-driver-{port}.log", "w")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"tauri-driver exited with {proc.returncode}; see {log.name}")
        try:
            if requests.get(f"{url}/status", timeout=1).ok:
                return proc, url
        except requests.RequestException:
            pass
        time.sleep(0.2)
    stop(proc, group=True)
    pytest.fail("tauri-driver did not answer /status within 20 s")


def open_app(url: str) -> Session:
    require_file(APP_BIN, "the app binary (beproduct-images)")
    caps = {"alwaysMatch": {"browserName": "wry", "tauri:options": {"application": APP_BIN}}}
    return Session(url, caps, timeout=90)


@pytest.fixture(scope="session")
def app(sandbox, display, artifacts, tmp_path_factory):
    """The real app connected (through env credentials) to the test sandbox."""
    yield from run_app(sandbox, display, tmp_path_factory.mktemp("app-home"))


@pytest.fixture(scope="session")
def slow_sandbox(tmp_path_factory):
    """A sandbox of its own whose processing takes 1.5 s, so a batch can be seen mid-way."""
    yield from run_sandbox(tmp_path_factory.mktemp("slow-sandbox-data"), processing_ms=1500)


@pytest.fixture(scope="session")
def upload_app(slow_sandbox, display, artifacts, tmp_path_factory):
    """A second app instance (own HOME, own upload journal) connected to `slow_sandbox`."""
    yield from run_app(slow_sandbox, display, tmp_path_factory.mktemp("upload-app-home"))


def app_env(base: str, display: str, home: Path) -> dict:
    """The app's environment: its own HOME/XDG folders and the sandbox's credentials."""
    return base_env() | isolated_home(home) | {
        "DISPLAY": display,
        "BEPRODUCT_COMPANY_DOMAIN": CREDS["company"],
        "BEPRODUCT_CLIENT_ID": CREDS["client_id"],
        "BEPRODUCT_CLIENT_SECRET": CREDS["client_secret"],
        "BEPRODUCT_REFRESH_TOKEN": CREDS["refresh_token"],
        "BEPRODUCT_API_URL": base,
        "BEPRODUCT_TOKEN_URL": f"{base}/ids/connect/token",
    }


def run_app(sandbox, display, home: Path, extra_env: dict | None = None):
    """Generator body for app fixtures: tauri-driver + the app connected to `sandbox` (with
    `extra_env` added to its environment)."""
    base, _ = sandbox
    proc, url = start_driver(app_env(base, display, home) | (extra_env or {}))
    session = None
    try:
        session = open_app(url)
        session.wait_for("#folders .folder", timeout=30)
        yield session
    finally:
        if session:
            session.quit()
        stop(proc, group=True)


@pytest.fixture()
def ui(app, sandbox):
    """The app reloaded to a clean state with the Prints folder chosen and its grid loaded."""
    app.execute("localStorage.clear()")
    reload(app)
    prints = sandbox[1].folder("Prints")
    choose_folder(app, prints["id"])
    return app


def reload(app: Session) -> None:
    """Reloads the page and waits for the NEW document's folder list (not the old one's)."""
    app.execute("window.__e2eOldPage = true; location.reload();")
    app.wait_until(lambda: app.execute("return window.__e2eOldPage === undefined && document.querySelectorAll('#folders .folder[data-folder-id]').length > 0"),
                   timeout=20, what="the reloaded page")


def choose_folder(app: Session, folder_id: str) -> None:
    app.find(f'.folder[data-folder-id="{folder_id}"]').click()
    app.wait_for(f'.folder.active[data-folder-id="{folder_id}"]')
    app.wait_until(lambda: app.exists("#grid .card[data-image-id]") or app.find("#grid-empty").prop("hidden") is False,
                   timeout=20, what="the grid to load")
    # The schema (filters, form) arrives right after the first page.
    app.wait_until(lambda: app.find("#filter-add").prop("disabled") is False, what="the folder schema")


@pytest.fixture(scope="session")
def fresh_app(display, artifacts, tmp_path_factory):
    """The app with NO credentials anywhere: fresh HOME, a private D-Bus session with an empty,
    unlocked GNOME Keyring. It must fall back to its embedded sandbox."""
    if not shutil.which("dbus-run-session") or not shutil.which("gnome-keyring-daemon"):
        pytest.fail("dbus-run-session and gnome-keyring-daemon are needed (Debian packages dbus, gnome-keyring)")
    env = base_env() | isolated_home(tmp_path_factory.mktemp("fresh-home")) | {"DISPLAY": display}
    proc, url = start_driver(env, in_dbus_with_keyring=True)
    session = None
    try:
        session = open_app(url)
        yield session
    finally:
        if session:
            session.quit()
        stop(proc, group=True)


# --- additions for test_security.py ---------------------------------------------------------

def run_sandbox_with_args(data: Path, extra_args: list[str]):
    """Like `run_sandbox`, with extra bp-sandbox arguments (own credentials, processing time...).
    Yields (base_url, data_dir)."""
    proc, base = start_sandbox_process(data, extra_args)
    try:
        yield base, data
    finally:
        stop(proc)


def dbus_address_of(driver: subprocess.Popen) -> str:
    """The private D-Bus session address of a driver started with `in_dbus_with_keyring=True`
    (read from the environment of the process that dbus-run-session started)."""
    children = Path(f"/proc/{driver.pid}/task/{driver.pid}/children").read_text().split()
    for pid in children:
        try:
            env = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        for entry in env:
            if entry.startswith(b"DBUS_SESSION_BUS_ADDRESS="):
                return entry.split(b"=", 1)[1].decode()
    pytest.fail(f"no DBUS_SESSION_BUS_ADDRESS among the children {children} of dbus-run-session")


def driver_log(url: str) -> Path:
    """The log file `start_driver` writes (tauri-driver's and the app's stdout + stderr)."""
    return ARTIFACTS / f"tauri-driver-{url.rsplit(':', 1)[1]}.log"


@pytest.fixture(scope="session")
def hostile_sandbox(tmp_path_factory):
    """A sandbox of its own for script-like names, so other tests never see them."""
    yield from run_sandbox(tmp_path_factory.mktemp("hostile-sandbox-data"), processing_ms=300)


@pytest.fixture(scope="session")
def hostile_app(hostile_sandbox, display, artifacts, tmp_path_factory):
    yield from run_app(hostile_sandbox, display, tmp_path_factory.mktemp("hostile-app-home"))
