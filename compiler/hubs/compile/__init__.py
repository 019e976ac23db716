"""Policies to edits: scopes, targets, findings, the plan, splices, checks, the run."""
