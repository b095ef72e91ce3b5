"""The Telegram bot front end (aiogram 3): linking, upload, cards, publishing, approvals."""
