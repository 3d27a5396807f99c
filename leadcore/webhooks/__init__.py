"""Signed webhooks driven from the lead event log.

`endpoints` registers receivers (URL checks, secret shown once), lists them, deletes, redelivers; `delivery`
turns new lead events into deliveries (per-endpoint cursor), claims due ones under a lease and sends them signed;
`signing` is the HMAC both sides compute.
"""
