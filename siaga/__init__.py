"""Dukcapil Siaga: reports of vulnerable residents, their priority queue and the home visits (jemput bola)."""
