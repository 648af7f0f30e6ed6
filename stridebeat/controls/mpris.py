"""MPRIS 2 on the D-Bus session bus: media keys, desktop widgets and earbud buttons.

Bluetooth earbuds reach a Linux player this way (BlueZ's ``mpris-proxy`` turns AVRCP
presses into MPRIS calls), and so do media keys, GNOME/KDE media controls and phone remotes.
One thread owns the connection: it answers method calls and property reads, and every
``POLL_SECONDS`` compares the properties a widget follows with what it last announced,
sending ``PropertiesChanged`` for those that moved (whatever moved them: a key, a button,
the session ending).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from stridebeat.controls.remote import Remote
from stridebeat.errors import ControlUnavailable

BUS_NAME = "org.mpris.MediaPlayer2.stridebeat"
OBJECT_PATH = "/org/mpris/MediaPlayer2"
ROOT = "org.mpris.MediaPlayer2"
PLAYER = "org.mpris.MediaPlayer2.Player"
PROPERTIES = "org.freedesktop.DBus.Properties"
INTROSPECTABLE = "org.freedesktop.DBus.Introspectable"
PEER = "org.freedesktop.DBus.Peer"
NO_TRACK = "/org/mpris/MediaPlayer2/TrackList/NoTrack"
POLL_SECONDS = 0.2

# MPRIS method -> remote action
PLAYER_METHODS = {
    "Play": "play", "Pause": "pause", "PlayPause": "play-pause", "Stop": "stop",
    "Next": "next", "Previous": "previous",
}  # fmt: skip
IGNORED_METHODS = {"Seek", "SetPosition", "OpenUri"}  # CanSeek is false: no effect, per spec

Variant = tuple[str, Any]

INTROSPECTION = f"""<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">
<node>
 <interface name="{INTROSPECTABLE}">
  <method name="Introspect"><arg name="xml" type="s" direction="out"/></method>
 </interface>
 <interface name="{PEER}"><method name="Ping"/></interface>
 <interface name="{PROPERTIES}">
  <method name="Get"><arg type="s" direction="in"/><arg type="s" direction="in"/>
   <arg type="v" direction="out"/></method>
  <method name="GetAll"><arg type="s" direction="in"/><arg type="a{{sv}}" direction="out"/>
  </method>
  <method name="Set"><arg type="s" direction="in"/><arg type="s" direction="in"/>
   <arg type="v" direction="in"/></method>
  <signal name="PropertiesChanged"><arg type="s"/><arg type="a{{sv}}"/><arg type="as"/>
  </signal>
 </interface>
 <interface name="{ROOT}">
  <method name="Raise"/><method name="Quit"/>
  <property name="CanQuit" type="b" access="read"/>
  <property name="CanRaise" type="b" access="read"/>
  <property name="HasTrackList" type="b" access="read"/>
  <property name="Identity" type="s" access="read"/>
  <property name="SupportedUriSchemes" type="as" access="read"/>
  <property name="SupportedMimeTypes" type="as" access="read"/>
 </interface>
 <interface name="{PLAYER}">
  <method name="Next"/><method name="Previous"/><method name="Pause"/>
  <method name="PlayPause"/><method name="Stop"/><method name="Play"/>
  <method name="Seek"><arg name="Offset" type="x" direction="in"/></method>
  <method name="SetPosition"><arg name="TrackId" type="o" direction="in"/>
   <arg name="Position" type="x" direction="in"/></method>
  <method name="OpenUri"><arg name="Uri" type="s" direction="in"/></method>
  <signal name="Seeked"><arg name="Position" type="x"/></signal>
  <property name="PlaybackStatus" type="s" access="read"/>
  <property name="Rate" type="d" access="read"/>
  <property name="Metadata" type="a{{sv}}" access="read"/>
  <property name="Volume" type="d" access="read"/>
  <property name="Position" type="x" access="read"/>
  <property name="MinimumRate" type="d" access="read"/>
  <property name="MaximumRate" type="d" access="read"/>
  <property name="CanGoNext" type="b" access="read"/>
  <property name="CanGoPrevious" type="b" access="read"/>
  <property name="CanPlay" type="b" access="read"/>
  <property name="CanPause" type="b" access="read"/>
  <property name="CanSeek" type="b" access="read"/>
  <property name="CanControl" type="b" access="read"/>
 </interface>
</node>
"""


def session_bus_address() -> str:
    """The session bus: DBUS_SESSION_BUS_ADDRESS, else systemd's socket in the runtime folder."""
    address = os.environ.get("DBUS_SESSION_BUS_ADDRESS", "")
    if address:
        return address
    runtime = os.environ.get("XDG_RUNTIME_DIR") or f"/run/user/{os.getuid()}"
    socket = Path(runtime) / "bus"
    if socket.exists():
        return f"unix:path={socket}"
    raise ControlUnavailable("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)")


class MprisPlayer:
    """stridebeat as an MPRIS media player, steering ``remote``, until ``close``."""

    def __init__(self, remote: Remote, identity: str = "stridebeat") -> None:
        from jeepney.io.blocking import open_dbus_connection

        self.remote = remote
        self.identity = identity
        address = session_bus_address()
        try:
            self._connection = open_dbus_connection(bus=address)
        except (OSError, ValueError, TimeoutError, StopIteration) as exc:
            raise ControlUnavailable(f"cannot reach the session bus at {address}: {exc}") from None
        try:
            self.name = self._request_name()
        except (OSError, TimeoutError) as exc:
            self._connection.close()
            raise ControlUnavailable(
                f"the session bus at {address} does not answer: {exc}"
            ) from None
        self._announced = self._followed()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="stridebeat-mpris", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._connection.close()

    def __enter__(self) -> MprisPlayer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _request_name(self) -> str:
        """The well-known name; if another stridebeat has it, the per-process one MPRIS allows."""
        from jeepney import DBusNameFlags, message_bus

        for name in (BUS_NAME, f"{BUS_NAME}.instance{os.getpid()}"):
            asked = message_bus.RequestName(name, DBusNameFlags.do_not_queue)
            (reply,) = self._connection.send_and_get_reply(asked, timeout=5).body
            if reply in (1, 4):  # primary owner, or already the owner
                return name
        raise ControlUnavailable(f"the D-Bus names {BUS_NAME}[.instance{os.getpid()}] are taken")

    # --- the connection's thread ----------------------------------------------------------

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                message = self._connection.receive(timeout=POLL_SECONDS)
            except TimeoutError:
                message = None
            except (OSError, ValueError):
                return  # the bus went away: play goes on without remote control
            try:
                if message is not None:
                    self._answer(message)
                self._announce_changes()
            except (OSError, ValueError):
                return

    def _answer(self, message: Any) -> None:
        from jeepney import HeaderFields, MessageType, new_error, new_method_return

        header = message.header
        if header.message_type is not MessageType.method_call:
            return
        path = header.fields.get(HeaderFields.path)
        interface = header.fields.get(HeaderFields.interface)
        member = header.fields.get(HeaderFields.member)
        reply: tuple[str, tuple[Any, ...]] | None = None
        error: tuple[str, str] | None = None
        if path != OBJECT_PATH:
            error = ("org.freedesktop.DBus.Error.UnknownObject", f"no object at {path}")
        elif member == "Introspect" and interface in (None, INTROSPECTABLE):
            reply = ("s", (INTROSPECTION,))
        elif member == "Ping" and interface in (None, PEER):
            reply = ("", ())
        elif interface == PROPERTIES or (interface is None and member in ("Get", "GetAll")):
            reply, error = self._properties_call(member, message.body)
        elif member in PLAYER_METHODS and interface in (None, PLAYER):
            self.remote.do(PLAYER_METHODS[member])
            reply = ("", ())
        elif member in IGNORED_METHODS and interface in (None, PLAYER):
            reply = ("", ())
        elif member in ("Raise", "Quit") and interface in (None, ROOT):
            reply = ("", ())  # CanRaise and CanQuit are false
        else:
            error = ("org.freedesktop.DBus.Error.UnknownMethod", f"no method {interface}.{member}")
        if header.flags & 1:  # NO_REPLY_EXPECTED
            return
        if error is not None:
            self._connection.send(new_error(message, error[0], "s", (error[1],)))
        elif reply is not None:
            signature, body = reply
            self._connection.send(new_method_return(message, signature or None, body))

    def _properties_call(
        self, member: str, body: tuple[Any, ...]
    ) -> tuple[tuple[str, tuple[Any, ...]] | None, tuple[str, str] | None]:
        if member == "GetAll":
            return ("a{sv}", (self._properties(body[0]),)), None
        if member == "Get":
            found = self._properties(body[0]).get(body[1])
            if found is None:
                return None, ("org.freedesktop.DBus.Error.UnknownProperty", f"no {body[1]}")
            return ("v", (found,)), None
        if member == "Set":
            return None, ("org.freedesktop.DBus.Error.PropertyReadOnly", f"{body[1]} is read-only")
        return None, ("org.freedesktop.DBus.Error.UnknownMethod", f"no method {member}")

    def _properties(self, interface: str) -> dict[str, Variant]:
        if interface == ROOT:
            return {
                "CanQuit": ("b", False),
                "CanRaise": ("b", False),
                "HasTrackList": ("b", False),
                "Identity": ("s", self.identity),
                "SupportedUriSchemes": ("as", []),
                "SupportedMimeTypes": ("as", []),
            }
        if interface == PLAYER:
            control = self.remote.control
            position = 0
            if control is not None:
                status = control.status()
                position = round(status.frame / status.rate * 1e6)
            return {
                **self._followed(),
                "Rate": ("d", 1.0),
                "MinimumRate": ("d", 1.0),
                "MaximumRate": ("d", 1.0),
                "Volume": ("d", 1.0),
                "Position": ("x", position),
                "CanSeek": ("b", False),
                "CanControl": ("b", True),
            }
        return {}

    def _followed(self) -> dict[str, Variant]:
        """The player properties that change while it runs, announced when they do."""
        remote = self.remote
        control = remote.control
        playing = control is not None
        metadata: dict[str, Variant] = {"mpris:trackid": ("o", NO_TRACK)}
        if control is not None:
            status = control.status()
            metadata = {
                "mpris:trackid": ("o", f"/stridebeat/session/{remote.sessions}"),
                "xesam:title": ("s", remote.title),
            }
            if not remote.endless:
                metadata["mpris:length"] = ("x", round(status.length / status.rate * 1e6))
        stepping = remote.next_action != "block"
        return {
            "PlaybackStatus": ("s", remote.playback_status()),
            "Metadata": ("a{sv}", metadata),
            "CanPlay": ("b", True),
            "CanPause": ("b", playing),
            "CanGoNext": ("b", playing),
            "CanGoPrevious": ("b", playing and stepping),
        }

    def _announce_changes(self) -> None:
        from jeepney import DBusAddress, new_signal

        now = self._followed()
        changed = {name: value for name, value in now.items() if self._announced[name] != value}
        if not changed:
            return
        self._announced = now
        emitter = DBusAddress(OBJECT_PATH, interface=PROPERTIES)
        signal = new_signal(emitter, "PropertiesChanged", "sa{sv}as", (PLAYER, changed, []))
        self._connection.send(signal)
