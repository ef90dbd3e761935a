"""Rules the engine reports itself, whatever the language: problems with suppression comments."""
