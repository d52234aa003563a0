"""The figures of the post "Give me attention" (_posts/*-give-me-attention.md)."""
