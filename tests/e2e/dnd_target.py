"""A tiny GTK window that is a real X11 drop target for files, for the drag-out e2e test (what a
desktop or a file manager is to the app). Run with the SYSTEM python (/usr/bin/python3 has `gi`):

    /usr/bin/python3 dnd_target.py X Y OUT_DIR REPORT_JSON

It shows a box at screen position (X, Y) and prints "ready W H" once mapped, "over" the first
time a drag moves over it, and "dropped N" after a drop. A drop is taken as a file manager
takes it: each text/uri-list entry is resolved by GIO and its file copied into OUT_DIR under
its own name, and REPORT_JSON gets {"uris": [...], "files": [{"uri", "name", "path", "size"}]}
(written whole, then renamed). It stays open until killed."""

import json
import os
import shutil
import sys
from pathlib import Path

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")
from gi.repository import Gdk, Gio, GLib, Gtk  # noqa: E402


def take(uris: list[str], out_dir: Path) -> list[dict]:
    files = []
    for uri in uris:
        path = Gio.File.new_for_uri(uri).get_path()
        entry = {"uri": uri, "name": None, "path": None, "size": None}
        if path and os.path.isfile(path):
            copy = out_dir / os.path.basename(path)
            shutil.copyfile(path, copy)
            entry.update(name=copy.name, path=str(copy), size=copy.stat().st_size)
        files.append(entry)
    return files


def main() -> None:
    x, y = int(sys.argv[1]), int(sys.argv[2])
    out_dir, report = Path(sys.argv[3]), Path(sys.argv[4])
    out_dir.mkdir(parents=True, exist_ok=True)
    win = Gtk.Window(title="dnd-target")
    win.set_decorated(False)
    win.set_default_size(220, 160)
    win.move(x, y)
    box = Gtk.EventBox()
    box.add(Gtk.Label(label="Drop here"))
    box.drag_dest_set(Gtk.DestDefaults.ALL, [], Gdk.DragAction.COPY)
    box.drag_dest_add_uri_targets()
    seen = {"over": False}

    def over(*_):
        if not seen["over"]:
            seen["over"] = True
            print("over", flush=True)
        return False  # DestDefaults.MOTION answers the source

    def received(_w, _ctx, _x, _y, data, _info, _time):
        uris = list(data.get_uris() or [])
        body = {"uris": uris, "files": take(uris, out_dir)}
        temp = report.with_suffix(".tmp")
        temp.write_text(json.dumps(body))
        temp.rename(report)
        print(f"dropped {len(uris)}", flush=True)

    box.connect("drag-motion", over)
    box.connect("drag-data-received", received)
    win.add(box)
    win.connect("destroy", Gtk.main_quit)

    def announce(*_):
        w, h = win.get_size()
        print(f"ready {w} {h}", flush=True)
        return False

    win.connect("map-event", lambda *_: GLib.timeout_add(200, announce))
    win.show_all()
    Gtk.main()


if __name__ == "__main__":
    main()
