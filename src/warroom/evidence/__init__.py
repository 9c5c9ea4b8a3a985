"""Evidence: the only place that knows input formats. Reads a bundle into five normalised tables."""
