"""Registry entries for creation ops (no tensor inputs: values and dtypes are compared)."""
OPS = []
