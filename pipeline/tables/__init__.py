"""Stage 3, tables: read tables 二, 三 and 四 by aligning a report's text to the national template.

- `tokens`: any layout (lines, pipes, tabs, one line for the whole report, HTML/PDF/Word grids)
  becomes one stream of label fragments, numbers and blanks with their spans;
- `rows`: labels recognised in the stream (whole, wrapped, OCR-damaged, glued to numbers) anchor
  runs of values to template rows;
- `align`: runs with no recognisable label take the template rows left between two anchors, in
  order, when their number and widths leave one way to do it; labels printed apart from their
  values are paired with them in order; grid rows are read by the header's value columns;
- `arith`: digit runs and damaged rows get candidate readings; the table's own equations settle
  them, and a cell is kept only when every winning reading agrees on it;
- `specs`: the national forms as data (rows, fields, headers, equations);
- `cells`: storing settled cells and the findings that say how (or why not);
- `read`: tables 二 and 三, and the three tables put together (the public `parse_tables`);
- `review`: table 四, one row of fifteen cells after its own header.
"""

from pipeline.tables.read import parse_tables

__all__ = ["parse_tables"]
