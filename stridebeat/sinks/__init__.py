"""Where rendered audio goes: a file (``file``), or live (``live``) on a device (``devices``)."""
