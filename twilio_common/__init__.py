"""What the two Twilio channel apps (channels_sms, channels_voice) share: the webhook
signature check, the one REST client factory, the "twilio" inbox's config, provider
errors as TransportError, and media downloads.

Not a channel app: it imports the core, never a channel app, and no channel app
imports another; both import this.
"""
