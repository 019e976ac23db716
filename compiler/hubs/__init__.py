"""hubs: an image-policy compiler for JupyterHub fleets (hubs.toml -> values files)."""

__version__ = "0.1.0"  # the one place; pyproject.toml reads it
