"""Tools: the workbench, call checks, the tool loop, import/export."""
