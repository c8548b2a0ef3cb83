"""data panel."""
