"""The Compare window: columns of replies to one prompt under different settings."""
