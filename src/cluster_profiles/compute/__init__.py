"""The compute half: from record-level data (a records folder) to the data tables the reports read."""
