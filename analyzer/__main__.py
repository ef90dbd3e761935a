from blastguard.interfaces.cli import entry

entry()
