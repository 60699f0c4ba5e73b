"""Extractors: each reads one kind of content (targets, tasks) from the structure model
(``cchc.docimport.structure``) and the prepared lines, and is testable on its own."""
