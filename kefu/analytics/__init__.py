"""Analytics for the staff console: A/B experiment statistics."""
