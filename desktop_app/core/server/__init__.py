"""What the app learns from the server itself: context meter, capability probe, load."""
