"""What a name or a free text in a data folder may hold, as regular expressions: the schema's rules
(``contract.schema`` checks every cell with them), kept apart from it so that code which only checks a few
texts (a records folder's ``about.json``, read by every adapter command) imports no pandera and no pandas.
"""

MAX_NAME_LENGTH = 200  # longer than any real cluster or organisation name; stops runaway strings

# Characters that are invisible or change how the text around them is shown: C0/C1 controls (a NUL
# cuts a name short), bidirectional overrides, embeddings and isolates (U+202E turns "exe.txt" into
# "txt.exe" on screen), zero-width spaces, the BOM and line/paragraph separators. Zero-width joiners
# (U+200C, U+200D) stay allowed: Indic and Arabic scripts need them.
_INVISIBLE = (r"\u00ad\u061c\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
              r"\ufff9-\ufffb\x7f-\x9f")
NO_CONTROL_IN_NAME = rf"^[^\x00-\x1f{_INVISIBLE}]*\Z"
NO_CONTROL_IN_TEXT = rf"^[^\x00-\x08\x0b-\x1f{_INVISIBLE}]*\Z"  # free text may hold tabs and line breaks
HAS_LETTER_OR_DIGIT = r"^.*[^\W_]"

# No real cluster, organisation, field or place name contains HTML tags or Markdown markup; a name
# that does is a copy-paste accident or an attack. (The reports escape every value regardless.)
NO_MARKUP = r"^(?!.*[<>`])(?!.*\*\*)(?!.*__)(?!.*\]\().*$"
