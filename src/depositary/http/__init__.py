"""The depositary's HTTP API: a thin shell over ``service.Depositary`` (see docs/api.md)."""
