"""The stores: the only SQL of the tool, one module per SQLite file."""
