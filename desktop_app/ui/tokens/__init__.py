"""The token view of a reply: tokens coloured by probability, legend, alternatives, export."""
