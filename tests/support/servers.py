"""What the tests' local HTTP servers share."""

# How often a server's loop looks for a shutdown request. socketserver's default of 0.5 s made every test
# that stops a server (the live app, the media and Twilio stand-ins) wait about that long in its teardown.
SERVE_POLL = 0.05
