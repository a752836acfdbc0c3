"""The wire inspector's data: trace table, readable records, code."""
