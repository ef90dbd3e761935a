import sys

from blastguard.cli import main

sys.exit(main())
