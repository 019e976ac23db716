"""The fleet's tree: cluster.yaml, YAML positions, slots, scanning, layering, the scan cache."""
