"""Server-rendered pages: one router module per page group."""
