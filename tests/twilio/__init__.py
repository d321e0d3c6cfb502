"""The Twilio test kit both Twilio channels use: the one fake of Twilio's REST API
(fake.py), signed webhook requests (signing.py), and tests of twilio_common."""

ACCOUNT_SID = "AC" + "0" * 32  # the twilio_inbox fixture's (tests/conftest.py)
AUTH_TOKEN = "12345678901234567890123456789012"
