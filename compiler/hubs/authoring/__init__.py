"""Writing hubs.toml: import, adopt, reconcile, set, promote, and TOML edits."""
