"""The live transport: the platform layer below every domain app.

Channel-layer group names (`groups`) and sending to a group from sync code, after commit
(`publish`). It knows Django, Channels and asgiref only, never a domain app: what a message
says is built by the app that owns it (`convoys.events` for the convoy log,
`notifications.tasks` for a person's notifications, `accounts.events` for API tokens).
"""
