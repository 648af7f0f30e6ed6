"""Where rendered audio goes: a file (``wav``) or a live stream (``live``)."""
