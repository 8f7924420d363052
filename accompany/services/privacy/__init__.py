"""Privacy: who may see what, the audit trail, key rotation, purging and deleting records."""
