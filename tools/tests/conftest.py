"""Shared fixtures for the course's Python-side tests (run by `./course test`)."""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
