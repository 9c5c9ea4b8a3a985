"""Evidence analysis: analyzers over the normalised tables, and the algorithms they share."""
