"""A tiny GTK window that is a real X11 drag source for files, for the drag-and-drop e2e test.
Run with the SYSTEM python (/usr/bin/python3 has `gi`):

    /usr/bin/python3 dnd_source.py X Y FILE [FILE ...]

It shows a button at screen position (X, Y), prints "ready W H" once mapped, and answers drags
from that button with the files as text/uri-list, and prints "drag-end" when a drag is over. It
stays open until killed."""

import sys
from pathlib import Path

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")
from gi.repository import Gdk, GLib, Gtk  # noqa: E402


def main() -> None:
    x, y = int(sys.argv[1]), int(sys.argv[2])
    uris = [Path(p).resolve().as_uri() for p in sys.argv[3:]]
    win = Gtk.Window(title="dnd-source")
    win.set_decorated(False)
    win.set_default_size(120, 60)
    win.move(x, y)
    button = Gtk.Button(label=f"{len(uris)} files")
    button.drag_source_set(Gdk.ModifierType.BUTTON1_MASK, [], Gdk.DragAction.COPY)
    button.drag_source_add_uri_targets()
    button.connect("drag-data-get", lambda _w, _ctx, data, _info, _time: data.set_uris(uris))
    # The drag is over (dropped, or refused): the test may close this window.
    button.connect("drag-end", lambda *_: print("drag-end", flush=True))
    win.add(button)
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
