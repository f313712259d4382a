"""One app process per data folder (so per upload journal): a second launch with the same
HOME/XDG folders and the same D-Bus session hands its arguments to the running app and exits;
the first keeps running and stays the only process with the journal open."""

from __future__ import annotations

import subprocess
import uuid

from conftest import APP_BIN, app_env, dbus_address_of, driver_log, open_app, require_file, start_driver, stop
from processes import app_processes, processes_with_open


def test_a_second_launch_hands_over_and_exits(sandbox, display, artifacts, tmp_path_factory):
    base, _ = sandbox
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
        second = subprocess.Popen([APP_BIN, marker], env=env | {"DBUS_SESSION_BUS_ADDRESS": dbus_address_of(driver)},
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            out, _ = second.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            stop(second)
            raise AssertionError("the second launch kept running instead of handing over to the first")
        assert second.returncode == 0, f"the second launch exited with {second.returncode}: {out[-2000:]}"

        # The first is untouched, got the arguments, and is still the only one with the journal.
        assert app_processes(driver) == first
        assert session.execute("return document.querySelectorAll('#folders .folder').length") > 0
        session.wait_until(lambda: marker in driver_log(url).read_text(errors="replace"), timeout=15,
                           what="the first instance to log the second launch's arguments")
        assert processes_with_open(journal) == set(first)
    finally:
        if session:
            session.quit()
        stop(driver, group=True)
