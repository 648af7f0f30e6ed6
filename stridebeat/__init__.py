"""stridebeat: an offline running-cadence metronome with spoken form cues."""

__version__ = "0.1.0"
