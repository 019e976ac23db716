"""What a run says: reporters, inventory, fleet queries, tables, templates."""
