"""Weight initialisation (ember.nn.init), torch's schemes and defaults."""

__all__ = []
