"""kefu (客服): a self-hosted customer-service agent for online shops."""

__version__ = "0.1.0"
