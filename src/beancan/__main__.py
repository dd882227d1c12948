from beancan.cli import main

raise SystemExit(main())
