"""Models: the reflected application tables and the back office's own tables."""
