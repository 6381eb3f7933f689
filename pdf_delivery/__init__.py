"""Signing finished documents and delivering them to the citizen's WhatsApp."""
