"""Domain operations: plain functions that take `now`, flush, raise domain errors, never commit."""
