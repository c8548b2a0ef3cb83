"""train panel."""
