"""The runner's own music under the click: tracks, beat analysis, stretching onto the steps."""
