"""Reading files, bounded, and writing them all or nothing: paths, the lock, git's base."""
