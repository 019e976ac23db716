"""Follow and promote policies resolved into hubs.lock."""
