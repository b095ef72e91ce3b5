"""Ports: the interfaces the domain and application layer need from the outside world.

Adapters implement them elsewhere (`tasks/` the job queue, `connectors/` the networks,
`bots/` the chat notifiers); the composition root (`oneclick.bootstrap`) plugs them in.
"""
