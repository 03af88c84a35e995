"""Messaging-app connectors (Twilio SMS/WhatsApp, Telegram, Messenger) built on Rasa's own.

Each is a custom Rasa input channel named in credentials.yml by its class path. They add what
Rasa's built-ins lack: signature checks, a durable outbox with retries, pseudonymous sender ids,
numbered options, splitting under each app's size limit, and location messages.
"""
