"""``python -m course_utils fetch|list [NAME ...]`` - data cache commands (see ``make data``)."""
from .datasets import main

raise SystemExit(main())
