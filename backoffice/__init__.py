"""The PPOB back office: a low-code admin panel over an existing PostgreSQL database."""
