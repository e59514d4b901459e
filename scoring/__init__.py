"""reviewqueue scoring: how far an LLM draft can be trusted. Plain Python; never imports Django."""

__version__ = "0.1.0"
