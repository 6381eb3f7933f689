"""Outreach visits a pekon or an institution asks for (SIJARLA): the request, the schedule, the results."""
