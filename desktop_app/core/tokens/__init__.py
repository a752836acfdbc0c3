"""Token view: summary numbers, exports and branching from a token of a reply."""
