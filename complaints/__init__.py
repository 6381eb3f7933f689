"""Complaints (pengaduan) in the back office: the per-unit queue, canned answers, the LAPOR! tracking
number, the monthly recap for SP4N-LAPOR! and the Ombudsman, and the dashboard's complaint panels.

The complaint itself runs on the SOP that serves the `pengaduan` service; this package finds its
category, class, unit and referral through the outputs' `means:` in that SOP, never by their keys.
"""
