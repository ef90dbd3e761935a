import sys

from blastguard.interfaces.cli import main

sys.exit(main())
