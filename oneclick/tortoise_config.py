"""`TORTOISE_ORM` for tortoise's own CLI (`make migrations`)."""

from core.config import Settings
from core.db import tortoise_config

TORTOISE_ORM = tortoise_config(Settings())
