"""Village office submissions: staff of a pekon key in a citizen's request and scans, and follow it.

The request runs on the SOP that serves the `pekon` channel; the role that submits is the one the SOP
gives the `submit_for_citizen` duty, and the first stages it carries out itself are completed by the
submission.
"""
