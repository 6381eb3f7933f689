"""Call-center intake: logged calls become tickets that the caller's WhatsApp joins."""
