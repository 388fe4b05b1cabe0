"""Telegram front-end (python-telegram-bot): long polling or webhook, translating updates for the chat gateway."""
