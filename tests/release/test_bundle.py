"""Smoke test of the built .deb (run after `bash scripts/bundle.sh --debug`, as the test command
does, or after a release `bash scripts/bundle.sh`).

The package under test is BP_DEB, or else the newest .deb of the workspace version in
$CARGO_TARGET_DIR/{debug,release}/bundle/deb/ (default target/). It checks the package metadata, unpacks
it into a temporary root, and starts the unpacked binary under Xvfb through tauri-driver with an
empty HOME and no credentials: the window must show the embedded sandbox's library, which proves
the installed app needs nothing from the source tree.
"""

from __future__ import annotations

import configparser
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from release_support import PNG_COLOUR_RGBA, find_deb, png_header, workspace_version

PACKAGE = "be-product-images"  # Tauri kebab-cases productName "BeProduct Images"; no override exists
BINARY = "usr/bin/beproduct-images"
DESKTOP_FILE = "usr/share/applications/BeProduct Images.desktop"
ICON_SIZES = {"32x32": 32, "128x128": 128, "256x256@2": 256}
RUNTIME_DEPENDS = ("libwebkit2gtk-4.1-0", "libgtk-3-0")
NATIVE_DRIVER = "/usr/bin/WebKitWebDriver"
STARTUP_TIMEOUT_S = 60  # first start seeds the sandbox library


@pytest.fixture(scope="module")
def deb() -> Path:
    return find_deb()


@pytest.fixture(scope="module")
def unpacked(deb, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("deb-root")
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True, timeout=120)
    return root


def control_fields(deb: Path) -> dict[str, str]:
    out = subprocess.run(["dpkg-deb", "-f", str(deb)], check=True, capture_output=True, text=True, timeout=60).stdout
    fields, last = {}, None
    for line in out.splitlines():
        if line.startswith((" ", "\t")) and last:
            fields[last] += "\n" + line.strip()
        elif ":" in line:
            last, value = line.split(":", 1)
            fields[last] = value.strip()
    return fields


def test_deb_metadata(deb):
    info = subprocess.run(["dpkg-deb", "-I", str(deb)], check=True, capture_output=True, text=True, timeout=60)
    assert " control" in info.stdout, "dpkg-deb -I shows no control file"
    fields = control_fields(deb)
    assert fields.get("Package") == PACKAGE
    assert fields.get("Version") == workspace_version(), f"deb Version {fields.get('Version')} != workspace version"
    assert fields.get("Architecture") == "amd64"
    depends = [d.strip().split(" ")[0] for d in fields.get("Depends", "").split(",")]
    for dep in RUNTIME_DEPENDS:
        assert dep in depends, f"Depends {fields.get('Depends')!r} lacks {dep}"
    assert fields.get("Description", "").strip(), "Description is empty"
    assert fields.get("Maintainer", "").strip(), "Maintainer is empty (bundle.publisher / authors)"


def test_deb_contents(unpacked):
    binary = unpacked / BINARY
    assert binary.is_file() and os.access(binary, os.X_OK), f"{BINARY} missing or not executable"
    with open(binary, "rb") as f:
        assert f.read(4) == b"\x7fELF", f"{BINARY} is not an ELF executable"

    desktop = unpacked / DESKTOP_FILE
    assert desktop.is_file(), f"{DESKTOP_FILE} missing; .desktop files: {sorted(p.name for p in unpacked.rglob('*.desktop'))}"
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # keys are case-sensitive
    entry.read(desktop, encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section.get("Type") == "Application"
    assert section.get("Name") == "BeProduct Images"
    assert section.get("Exec", "").split()[0] == "beproduct-images", f"Exec={section.get('Exec')}"
    assert section.get("Icon") == "beproduct-images"
    assert section.get("Categories", "").strip(";"), "the .desktop entry has no Categories"

    for size_dir, pixels in ICON_SIZES.items():
        icon = unpacked / "usr/share/icons/hicolor" / size_dir / "apps" / "beproduct-images.png"
        assert icon.is_file(), f"hicolor icon {size_dir} missing"
        width, height, depth, colour = png_header(icon)
        assert (width, height) == (pixels, pixels), f"{icon.name} in {size_dir} is {width}x{height}"
        assert (depth, colour) == (8, PNG_COLOUR_RGBA)


# ---------------------------------------------------------------- starting the unpacked app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_xvfb() -> tuple[subprocess.Popen, str]:
    """Xvfb on a display it picks itself (-displayfd), so parallel runs never clash."""
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    number = b""
    deadline = time.monotonic() + 20
    with os.fdopen(read_fd, "rb", buffering=0) as pipe:
        os.set_blocking(pipe.fileno(), False)
        while not number.endswith(b"\n"):
            assert proc.poll() is None, "Xvfb exited at start-up (is the xvfb package installed? bash scripts/setup.sh)"
            assert time.monotonic() < deadline, "Xvfb did not report a display within 20 s"
            try:
                number += pipe.read() or b""
            except BlockingIOError:
                pass
            time.sleep(0.05)
    return proc, ":" + number.decode().strip()


def clean_env(home: Path, display: str) -> dict[str, str]:
    """A fresh user: nothing from the caller's environment (no BEPRODUCT_* credentials, no D-Bus)."""
    for sub in ("config", "data", "cache", "state", "runtime"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    (home / "runtime").chmod(0o700)
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "DISPLAY": display,
        "LANG": "C.UTF-8",
        "NO_AT_BRIDGE": "1",  # no accessibility bus: GTK would start one and warn
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_RUNTIME_DIR": str(home / "runtime"),
    }


class WebDriver:
    """The few W3C WebDriver calls this test needs, over plain HTTP."""

    def __init__(self, url: str):
        self.url = url
        self.session = None

    def _call(self, method: str, path: str, body: dict | None = None, timeout: float = 30):
        response = requests.request(method, f"{self.url}{path}", json=body, timeout=timeout)
        value = response.json().get("value")
        if response.status_code != 200:
            raise AssertionError(f"WebDriver {method} {path} -> {response.status_code}: {value}")
        return value

    def start(self, application: Path) -> None:
        caps = {"capabilities": {"alwaysMatch": {"browserName": "wry", "tauri:options": {"application": str(application)}}}}
        self.session = self._call("POST", "/session", caps, timeout=STARTUP_TIMEOUT_S)["sessionId"]

    def _elements(self, css: str) -> list[str]:
        found = self._call("POST", f"/session/{self.session}/elements", {"using": "css selector", "value": css})
        return [next(iter(e.values())) for e in found]

    def texts(self, css: str) -> list[str]:
        return [self._call("GET", f"/session/{self.session}/element/{e}/text") for e in self._elements(css)]

    def attributes(self, css: str, name: str) -> list[str | None]:
        return [self._call("GET", f"/session/{self.session}/element/{e}/attribute/{name}") for e in self._elements(css)]

    def quit(self) -> None:
        if self.session:
            requests.delete(f"{self.url}/session/{self.session}", timeout=30)
            self.session = None


def stop(proc: subprocess.Popen | None, group: bool = False) -> None:
    """Ends a process this test started (and, with group, the process group it leads)."""
    if proc is None:
        return
    signal_it = (lambda sig: os.killpg(proc.pid, sig)) if group else (lambda sig: proc.send_signal(sig))
    try:
        signal_it(signal.SIGTERM)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        signal_it(signal.SIGKILL)
        proc.wait(timeout=10)


@pytest.mark.timeout(240)
def test_unpacked_app_starts_on_the_sandbox_library(unpacked, tmp_path):
    # scripts/test.sh exports TAURI_DRIVER; HOME may be a throwaway one, so ~/.cargo/bin is a last resort.
    tauri_driver = os.environ.get("TAURI_DRIVER") or shutil.which("tauri-driver") or str(Path.home() / ".cargo/bin/tauri-driver")
    assert Path(tauri_driver).is_file(), "tauri-driver not found; run bash scripts/setup.sh"
    assert Path(NATIVE_DRIVER).is_file(), f"{NATIVE_DRIVER} not found (Debian package webkit2gtk-driver)"

    xvfb, display = start_xvfb()
    driver_proc = None
    webdriver = None
    log_path = tmp_path / "tauri-driver.log"
    try:
        env = clean_env(tmp_path / "home", display)
        port = free_port()
        driver_cmd = [tauri_driver, "--port", str(port), "--native-port", str(free_port()), "--native-driver", NATIVE_DRIVER]
        with open(log_path, "wb") as log:
            # A private D-Bus session with an empty, unlocked keychain: a fresh desktop user with
            # no saved account. Its own process group, so stopping it ends the app, the drivers
            # and the bus together.
            driver_proc = subprocess.Popen(
                ["dbus-run-session", "--", "sh", "-c",
                 'printf pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "$@"', "sh",
                 *driver_cmd],
                env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        webdriver = WebDriver(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 20
        while True:
            assert driver_proc.poll() is None, f"tauri-driver exited: {log_path.read_text(errors='replace')}"
            try:
                requests.get(f"{webdriver.url}/status", timeout=2)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "tauri-driver did not answer /status within 20 s"
                time.sleep(0.2)

        webdriver.start(unpacked / BINARY)
        badge, cards, last_error = [], [], None
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            try:  # the UI re-renders while it loads: an element can go stale between two calls
                badge = webdriver.texts("#mode-badge")
                # A card counts when it carries an image id from the sandbox's library.
                cards = [i for i in webdriver.attributes("#grid .card", "data-image-id") if i]
            except AssertionError as e:
                last_error = e
            if badge and "Sandbox" in badge[0] and cards:
                break
            time.sleep(0.5)
        assert badge or last_error is None, f"reading the window failed: {last_error}"
        assert badge, "the window has no #mode-badge"
        assert "Sandbox" in badge[0], f"#mode-badge says {badge[0]!r}, expected the embedded sandbox"
        assert cards, f"no .card[data-image-id] in #grid within {STARTUP_TIMEOUT_S} s: the sandbox library did not load"
    finally:
        if webdriver:
            try:
                webdriver.quit()
            except requests.RequestException:
                pass
        stop(driver_proc, group=True)
        stop(xvfb)
