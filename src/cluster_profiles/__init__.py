"""GII S&T cluster profiles."""
