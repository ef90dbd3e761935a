"""Python: the calls of a module that can destroy data, and the strings they execute."""
