"""The CLI's commands, one module per area; each registers its commands on ``leadcore.cli.app.app`` when
``leadcore.cli`` imports it."""
