"""``python -m underwater`` runs the CLI."""

from underwater.cli import main

raise SystemExit(main())
