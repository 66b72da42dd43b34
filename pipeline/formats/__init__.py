"""Readers for the original file formats (PDF, Word): each turns a file into a `Document` whose
view is text in reading order and whose tables are real cell grids, for the one table reader."""
