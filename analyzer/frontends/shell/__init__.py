"""Shell: scripts and one-line commands as the commands they run, disguises removed."""
