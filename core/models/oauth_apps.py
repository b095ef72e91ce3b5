"""OAuth apps this server registered on a network's server (Mastodon registers one per server)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class OAuthClientApp(Model):
    """One registered OAuth client on one network server for one redirect URI."""

    id = fields.IntField(primary_key=True)
    platform = fields.CharField(max_length=32)
    server = fields.CharField(max_length=255)
    redirect_uri = fields.CharField(max_length=512)
    client_id = fields.CharField(max_length=255)
    client_secret_enc = fields.TextField()
    scopes = fields.CharField(max_length=255, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "oauth_client_apps"
        unique_together = (("platform", "server", "redirect_uri"),)
