"""What steers live play (terminal keys; D-Bus and buttons later), via ``interface.LiveControl``."""
