"""Tables -> words, tables, charts and maps. Pure: writes no files and starts no kernel."""
