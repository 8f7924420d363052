"""People: accounts and how they log in, volunteers, families and their records."""
