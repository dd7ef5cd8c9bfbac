"""resolver: a hybrid neuro-symbolic dialog action resolver for home automation.

A neural model proposes, a grammar, rules and a graph of the home decide; the output is
Home Assistant service calls, a short response and an explanation.
"""

from .actions import ServiceCall
from .errors import FileError, HomeFileError, ResolverError
from .home import Home
from .pipeline import Resolver, Result

__all__ = ["FileError", "Home", "HomeFileError", "Resolver", "ResolverError", "Result",
           "ServiceCall"]
__version__ = "0.1.0"
