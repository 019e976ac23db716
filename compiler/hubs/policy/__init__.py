"""hubs.toml and hubs.lock: the model, the loader, addresses, image references, tag orders."""
