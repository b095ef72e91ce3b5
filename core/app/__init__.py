"""The application layer: every use case of the product, written once.

Each module holds one group of use cases (publishing, assets, accounts, brands, chat
links…). A use case takes the acting person (`Actor`) and its input, checks the
permission against the one role table (`core.app.roles`), changes state in one
transaction, writes the audit row and returns a result the front end renders. The web
pages, the REST API, the Telegram bot, the Slack app, the promo pipeline and the CLI
call these; they contain no business rules of their own.
"""
