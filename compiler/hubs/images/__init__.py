"""The images themselves: verify, image checks and layers, lint."""
