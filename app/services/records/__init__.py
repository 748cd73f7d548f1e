"""Domain records (enterprises, persons, projects, locks, performance) and identifier checks."""
