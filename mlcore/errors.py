"""Errors shared by mlcore's client-side modules."""

from __future__ import annotations


class SpecError(ValueError):
    """A model specification, training request or task is invalid; the message says what to change."""


class DatasetError(ValueError):
    """Data cannot be used; the message names the problem and what to change."""
