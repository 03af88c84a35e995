"""rasa-sdk action server: form validation and calls to the locator service."""
