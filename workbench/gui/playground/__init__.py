"""playground panel."""
