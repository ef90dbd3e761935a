"""blastguard: flags SQL, infrastructure and shell that can destroy data, before it runs."""

__version__ = "0.1.0"
