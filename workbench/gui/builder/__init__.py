"""builder panel."""
