"""Tickets: the data model, the services that change it and the back-office views."""
