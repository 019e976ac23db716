"""The names of hubs' own files: hubs.toml, and hubs.lock beside it."""

CONFIG_NAME = "hubs.toml"
LOCK_NAME = "hubs.lock"
