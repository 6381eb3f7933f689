"""KTP-el recording campaigns at schools: visits, student lists, the day at the school, the handover, reports."""
