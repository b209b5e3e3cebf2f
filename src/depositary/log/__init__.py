"""The transparency log's logic, written once over the storage protocols."""
