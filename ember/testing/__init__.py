"""ember.testing: assert_close with torch's default tolerances."""

__all__ = []
