"""The models of the post, written out by hand so that they read like the equations."""
