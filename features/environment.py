"""behave hooks shared by every feature. Keep feature-specific set-up in the step modules."""
import sys
from pathlib import Path

# Steps share the in-memory port fakes of tests/fakes.py; the repository root is not on the
# path when behave runs as an installed console script.
_REPO_ROOT = str(Path(__file__).resolve().parent.parent)
if _REPO_ROOT not in sys.path:
    sys.path.insert(0, _REPO_ROOT)
