"""The shop's own data: importers and exporters for store formats."""
