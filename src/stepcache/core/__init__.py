"""The family-agnostic core: settings, schedules (pure functions), which call is which step of which generation,
and the hooks that act on the decision."""
