"""One app process per data folder (so per upload journal): a second launch with the same
HOME/XDG folders and the same D-Bus session hands its arguments to the running app and exits;
the first keeps running and stays the only process with the journal open. Image paths passed to
a second launch ("Open with BeProduct Images") land in the open folder, as if dropped on its grid."""

from __future__ import annotations

import os
import subprocess
import uuid

from conftest import APP_BIN, app_env, choose_folder, dbus_address_of, driver_log, open_app, require_file, start_driver, stop
from processes import app_processes, processes_with_open
from sandbox_api import create_folder
from test_upload import make_images


def launch_again(env: dict, driver, args: list[str], cwd=None) -> None:
    """Runs the app a second time with `args` (on the first's session bus) and waits for it to
    hand over and exit."""
    second = subprocess.Popen([os.path.abspath(APP_BIN), *args], env=env | {"DBUS_SESSION_BUS_ADDRESS": dbus_address_of(driver)},
                              cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = second.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        stop(second)
        raise AssertionError("the second launch kept running instead of handing over to the first")
    assert second.returncode == 0, f"the second launch exited with {second.returncode}: {out[-2000:]}"


def test_a_second_launch_hands_over_and_exits(sandbox, display, artifacts, tmp_path_factory):
    base, api = sandbox
    # A folder of its own (no naming rules in this HOME: no intake preview), so the count is exact.
    folder_id = create_folder(base, f"Open with {uuid.uuid4().hex[:6]}", api.folder("Prints")["id"])
    home = tmp_path_factory.mktemp("single-instance-home")
    env = app_env(base, display, home)
    # A session bus: the running app registers its name there (as in any desktop session).
    driver, url = start_driver(env, in_dbus_with_keyring=True)
    session = None
    try:
        session = open_app(url)
        session.wait_for("#folders .folder[data-folder-id]", timeout=30)
        first = app_processes(driver)
        assert len(first) == 1, f"expected one app process, found {first}"
        journal = home / "data" / "com.beproduct.images" / "uploads.sqlite"
        assert journal.exists(), f"the journal is not where expected: {journal}"
        assert processes_with_open(journal) == set(first)

        require_file(APP_BIN, "the app binary")
        marker = f"--second-launch-{uuid.uuid4().hex[:8]}"
        launch_again(env, driver, [marker])

        # The first is untouched, got the arguments, and is still the only one with the journal.
        assert app_processes(driver) == first
        assert session.execute("return document.querySelectorAll('#folders .folder').length") > 0
        session.wait_until(lambda: marker in driver_log(url).read_text(errors="replace"), timeout=15,
                           what="the first instance to log the second launch's arguments")
        assert processes_with_open(journal) == set(first)

        # "Open with": two images (one relative to the second launch's folder, one absolute, and
        # a missing one that is ignored) land as new images in the open folder.
        choose_folder(session, folder_id)
        files = tmp_path_factory.mktemp("open-with")
        tag = uuid.uuid4().hex[:6]
        images = [files / f"open-{tag}-a.png", files / f"open-{tag}-b.jpg"]
        make_images(images)
        launch_again(env, driver, [images[0].name, str(images[1]), f"missing-{tag}.png"], cwd=files)
        assert app_processes(driver) == first
        numbers = lambda: sorted(h["headerNumber"] for h in api.all_headers(folder_id))
        session.wait_until(lambda: numbers() == sorted(p.stem for p in images), timeout=60,
                           what=f"both handed-over images in the open folder (now {numbers()})")
        assert processes_with_open(journal) == set(first)
    finally:
        if session:
            session.quit()
        stop(driver, group=True)
