"""The data contract both halves share: the data folder's schema and vocabulary, reading, validating,
cross-checking and loading it, its quality notes and the ranking importer."""
