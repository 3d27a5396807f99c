"""fileimport."""
