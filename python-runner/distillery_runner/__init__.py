"""Distilling Step-by-Step training runner: natural language to Elasticsearch Query DSL."""

__version__ = "0.1.0"
