"""Connector contract and OAuth tests against loopback fakes."""
