"""Human tasks: task lists, claim, assign and complete."""
