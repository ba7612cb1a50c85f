"""Running the bot as a background daemon: per-player run directory, detached processes, stop signals."""
