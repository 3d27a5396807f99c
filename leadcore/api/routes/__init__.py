"""The API's routers, one module per area; ``leadcore.api.create_app`` includes them (fixed paths first)."""
