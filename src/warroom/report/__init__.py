"""Renderings of an investigation: terminal (Rich), Markdown, JSON (and HTML with charts)."""
