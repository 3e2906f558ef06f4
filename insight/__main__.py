from insight.cli import main

raise SystemExit(main())
