from meeting_console.cli import main

raise SystemExit(main())
