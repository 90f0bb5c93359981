"""Shared fixtures for the course's Python-side tests (run by `./course test`)."""
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))


@pytest.fixture(scope="session")
def graded(request, tmp_path_factory):
    """The course released and graded once per session (graded_class.py): the grading tests read
    its scores and reports, the notebook tests its executions of the instructor's versions."""
    from graded_class import grade_the_course
    whole_class = any(item.path.name == "test_grading.py" for item in request.session.items)
    return grade_the_course(tmp_path_factory.mktemp("build"), whole_class)
