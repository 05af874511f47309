"""The checkout the tests run from: the template, the functions, the samples and the sample events."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
