"""Request and response models, kept apart from the tables: responses never expose a table."""
