"""Identity: accounts, sign-in, sessions and API tokens."""
