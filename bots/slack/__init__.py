"""The Slack app: slack-bolt's AsyncApp with one module per feature."""
