"""Maps of where the clusters are, drawn offline from Natural Earth shapes: ``shapes`` (the countries),
``projection`` (where a point lands), ``placement`` (labels in pixel space), ``layout`` (what a map shows,
as data), ``draw`` (the PNG) and ``text`` (its alt text, caption and notes)."""
