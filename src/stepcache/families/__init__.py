"""Model families: each says what is live, what is replayed and how to read a call (U-Nets with ControlNets;
transformer block stacks). The core (:mod:`stepcache.core`) does the rest."""


class UnsupportedModelError(TypeError):
    """The model (or one of its blocks) is not one stepcache knows how to cache."""
