"""One package per notebook kind, each in the same parts: its data (``data``), its sections as views
(``sections``), and what its notebook calls (``notebook``). The notebooks import only from here."""
