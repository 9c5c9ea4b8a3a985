"""Analysis: analyzers over the normalised evidence tables, findings, ranked suspects."""
