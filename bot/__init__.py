"""WhatsApp webhook, the citizen conversation and call-center intake."""
