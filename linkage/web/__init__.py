"""The review web application (`linkage serve`): Justice officers' conflict queues and decisions, data
stewards' possible matches and approvals, account administration. Server-rendered, Vietnamese first."""

from linkage.web.app import WebConfig, create_app

__all__ = ["WebConfig", "create_app"]
