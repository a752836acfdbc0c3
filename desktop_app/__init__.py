"""Gemma Desk: a desktop client for Gemma 4 models served by vLLM."""

__version__ = "0.1.0"
APP_NAME = "Gemma Desk"
