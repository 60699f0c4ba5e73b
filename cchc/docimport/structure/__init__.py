"""The document structure model: numbered headings at their levels (in any accent state, with OCR
noise in the numbering), the sections they open, and what each section is about, read from its words.

``outline(lines)`` takes the prepared lines of ``parse._prepare`` (text and folded key per line) and
returns the sections in document order; ``classify(title)`` names what a heading is about.
"""

from cchc.docimport.structure.headings import Numbered, classify, numbered
from cchc.docimport.structure.outline import Section, outline, section_ranges

__all__ = ["Numbered", "Section", "classify", "numbered", "outline", "section_ranges"]
